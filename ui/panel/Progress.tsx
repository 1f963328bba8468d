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
  const overall = (status.index + a + (b - a) * within) / Math.max(1, status.count);
  const tiles = status.stage === 'infer' && status.total > 1 ? ` · tile ${status.done}/${status.total}` : '';
  const layer = status.count > 1 ? ` · layer ${status.index + 1}/${status.count}` : '';
  return (
    <div class="progress" data-testid="progress">
      <progress value={overall} max={1} />
      <span class="dim">{LABEL[status.stage] ?? status.stage}{tiles}{layer}</span>
    </div>
  );
}
