/**
 * Accuracy by step: on a batch of held-out puzzles, exact and token accuracy after every supervision step and the
 * step at which the halting head first says stop. The numbers are Trainer.evaluate's, the code the CLI's `eval`
 * runs, so the page, `npm run probe` and `npm run eval` print the same figures for the same puzzles.
 */
import type { Example } from '../data/dataset';
import type { Trainer } from '../trm/trainer';

export interface AccuracyByStep {
  examples: number;
  nSup: number;
  /** Fractions after each supervision step 1..N_sup (index s is step s + 1). */
  exactByStep: number[];
  tokenByStep: number[];
  /** Puzzles whose first halting step (first q_halt > 0; N_sup when it never halts) is s + 1, at index s. */
  haltCounts: number[];
  meanHaltStep: number;
  /** Wrong after step 1 and right after the last: what the recursion fixed (and the reverse). */
  fixed: number;
  broken: number;
}

export async function accuracyByStep(trainer: Trainer, examples: readonly Example[]): Promise<AccuracyByStep> {
  const nSup = trainer.cfg.model.nSup;
  const r = await trainer.evaluate(examples, { byStep: true });
  const d = r.byStep!;
  let fixed = 0, broken = 0;
  for (let i = 0; i < r.examples; i++) {
    const first = d.exact[i * nSup], last = d.exact[i * nSup + nSup - 1];
    if (!first && last) fixed++;
    if (first && !last) broken++;
  }
  return {
    examples: r.examples,
    nSup,
    exactByStep: r.exactByStep,
    tokenByStep: d.tokenAccuracy,
    haltCounts: d.haltCounts,
    meanHaltStep: r.meanHaltStep,
    fixed,
    broken,
  };
}
