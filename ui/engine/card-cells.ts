// Table cells every model table shows alike (the CLI's `onestep models --markdown` restore table in
// ./cli.ts and the README's sketch and inpaint tables in bin/zoo-tables.mjs), read from a card's JSON.

/** The pair as models/gctm/evaluate.py (and inpaint_eval, sketch_eval) write it under metrics.consistency. */
interface Consistency {
  one_step_to_ode_db: number;
  one_step_to_denoiser_db: number;
}

interface CardLike {
  one_step?: string;
  metrics?: unknown;
}

const dB = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(1) : '–');

/** "26.8 / 25.8": one step to its ODE / to its denoiser, marked "(not a GCTM jump)" by the card's own
 * verdict (`one_step`, which gctm.publish sets with its margin), or for a card without one where the
 * one step is not nearer its ODE at all. */
export function oneStepCell(card: CardLike): string {
  const k = (card.metrics as { consistency?: Consistency } | undefined)?.consistency;
  if (!k) return '–';
  const regressor = card.one_step ? card.one_step === 'regressor' : !(k.one_step_to_ode_db > k.one_step_to_denoiser_db);
  return `${dB(k.one_step_to_ode_db)} / ${dB(k.one_step_to_denoiser_db)}${regressor ? ' (not a GCTM jump)' : ''}`;
}

/** " (an earlier net)" after an L2 baseline measured on another network than the card's, else "". Two
 * evaluators say so in their own way: a `note` on the regressor's row (gctm.evaluate's metrics.summary)
 * or the method carried from an earlier evaluation (tools/carry_baseline.py: metrics.carried). */
export function earlierNetMark(metrics: unknown): string {
  const m = (metrics ?? {}) as { summary?: { regression_nfe1?: { note?: string } }; carried?: { regression_nfe1?: unknown } };
  return m.summary?.regression_nfe1?.note || m.carried?.regression_nfe1 ? ' (an earlier net)' : '';
}
