/**
 * Where the answer changed: for one puzzle, per cell, the last supervision step at which the decoded answer y
 * changed, how often it changed, and whether it is right at the end. Cells that settle at step 1 were answered at
 * once; cells that change late (or flip back and forth) are where the recursion did its work. The answers are the
 * recursion viewer's (captureTrace: y after the last update of each supervision step).
 */
import { IGNORE_LABEL, type Example } from '../data/dataset';
import { captureTrace } from '../trm/trace';
import type { Trainer } from '../trm/trainer';

export interface AnswerChanges {
  nSup: number;
  /** Per position: the last step 1..N_sup whose answer differs from the step before (1: settled at step 1). */
  lastChange: number[];
  /** Per position: at how many steps 2..N_sup the answer changed. */
  changes: number[];
  /** Per position: the answer after the last step. */
  final: number[];
  /** Per position: right at the end; null where the position has no target. */
  correct: (boolean | null)[];
  /** Per step: the whole answer is right (null without a target), and σ(q_halt). */
  exactByStep: (boolean | null)[];
  haltProb: number[];
}

export async function answerChanges(trainer: Trainer, example: Example): Promise<AnswerChanges> {
  const trace = await captureTrace(trainer, example);
  // The answer after each supervision step: its last y update.
  const answers = trace.steps.map((s) => trace.frames.filter((f) => f.supStep === s.supStep && f.kind === 'y').at(-1)!.tokens);
  const L = trace.seqLen;
  const lastChange = new Array<number>(L).fill(1), changes = new Array<number>(L).fill(0);
  for (let s = 1; s < answers.length; s++) {
    for (let i = 0; i < L; i++) {
      if (answers[s][i] === answers[s - 1][i]) continue;
      lastChange[i] = s + 1;
      changes[i]++;
    }
  }
  const final = Array.from(answers.at(-1)!);
  return {
    nSup: trace.nSup,
    lastChange,
    changes,
    final,
    correct: final.map((t, i) => (example.labels[i] === IGNORE_LABEL ? null : t === example.labels[i])),
    exactByStep: trace.steps.map((s) => s.correct),
    haltProb: trace.steps.map((s) => s.haltProb),
  };
}
