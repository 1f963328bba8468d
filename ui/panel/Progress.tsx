// Progress for model load and tiles, across all selected layers.
import type { Status } from './App';

const LABEL: Record<string, string> = {
  export: 'Exporting', load: 'Loading model', decode: 'Reading image', prepare: 'Preparing', infer: 'Running model', encode: 'Writing image',
};
// Share of one layer's time each stage is shown as (inference dominates).
const SPAN: Record<string, [number, number]> = {
  export: [0, 0.02], load: [0.02, 0.1], decode: [0.1, 0.12], prepare: [0.12, 0.15], infer: [0.15, 0.97], encode: [0.97, 1],
};

export function Progress({ status }: { status: Extract<Status, { kind: 'running' }> }) {
  const [a, b] = SPAN[status.stage] ?? [0, 1];
  const within = status.total > 0 ? status.done / status.total : 0;
  let layerShare = a + (b - a) * within;
  // A chain (clean, then upscale) repeats prepare → infer → encode per model: each model gets an
  // equal slice of the span after loading, so the bar never moves backwards.
  const parts = Math.max(1, status.parts);
  const after = SPAN.load[1];
  if (parts > 1 && layerShare >= after) layerShare = after + ((status.part + (layerShare - after) / (1 - after)) / parts) * (1 - after);
  const overall = (status.index + layerShare) / Math.max(1, status.count);
  const tiles = status.stage === 'infer' && status.total > 1 ? ` · tile ${status.done}/${status.total}` : '';
  const model = parts > 1 && status.stage !== 'load' ? ` · model ${status.part + 1}/${parts}` : '';
  const layer = status.count > 1 ? ` · layer ${status.index + 1}/${status.count}` : '';
  return (
    <div class="progress" data-testid="progress">
      <progress value={overall} max={1} />
      <span class="dim">{LABEL[status.stage] ?? status.stage}{model}{tiles}{layer}</span>
    </div>
  );
}
