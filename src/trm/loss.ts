import type { Tape } from '../autograd/tape';
import type { Tensor } from '../engine/tensor';
import { add, scale } from '../ops/elementwise';
import { bceWithLogits, crossEntropy, type CrossEntropyKind } from '../ops/losses';
import type { StepOutput } from './model';

export interface TrmLoss {
  /** Per-sample lm + haltWeight·BCE [B]; backward from it with seed 1/B gives the reference's batch mean. */
  total: Tensor;
  lm: Tensor;
  halt: Tensor;
  /** i32 [B] correct and supervised token counts; f32 [B] exact match (the halting target). */
  correct: Tensor;
  valid: Tensor;
  exact: Tensor;
}

/** Reference ACTLossHead: per-sequence mean CE (stablemax by default) + 0.5·BCE(q_halt, sequence exactly right). */
export function trmLoss(tape: Tape, out: StepOutput, labels: Tensor, opts: { kind: CrossEntropyKind; haltWeight: number }): TrmLoss {
  const ce = crossEntropy(tape, out.logits, labels, { kind: opts.kind });
  const B = labels.dim(0);
  const q = tape.reshape(out.qHalt, [B]);
  const halt = bceWithLogits(tape, q, ce.exact);
  const total = add(tape, ce.loss, scale(tape, halt, opts.haltWeight));
  return { total, lm: ce.loss, halt, correct: ce.correct, valid: ce.valid, exact: ce.exact };
}
