// "About this model": the numbers behind the panel's plain words, for each model of the chain, and
// where the engine runs (when known).
import type { ModelCard } from '../engine/zoo';
import { aboutLines } from './plain';

export function AboutModels({ chain, runsOn }: { chain: ModelCard[]; runsOn?: string }) {
  return (
    <details class="about" data-testid="about">
      <summary>About this model</summary>
      {chain.map((c) => (
        <div key={c.id} class="facts" data-testid="facts">
          {aboutLines(c).map((line, i) => <p key={i}>{line}</p>)}
        </div>
      ))}
      {runsOn && <p data-testid="runs-on">Runs on {runsOn}.</p>}
    </details>
  );
}
