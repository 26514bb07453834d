import type { Tape } from '../autograd/tape';
import type { Tensor } from '../engine/tensor';
import { add, scale } from '../ops/elementwise';
import { bceWithLogits, crossEntropy, type CrossEntropyKind } from '../ops/losses';
import type { StepOutput } from './model';

export interface TrmLoss {
  /** Per-sample lm + haltWeight·(BCE halt [+ BCE continue]) [B]; backward from it with seed 1/B gives the reference's batch mean. */
  total: Tensor;
  lm: Tensor;
  halt: Tensor;
  /** BCE(q_continue, its target) [B], with a continue target. */
  continue?: Tensor;
  /** i32 [B] correct and supervised token counts; f32 [B] exact match (the halting target). */
  correct: Tensor;
  valid: Tensor;
  exact: Tensor;
}

export interface TrmLossOptions {
  kind: CrossEntropyKind;
  haltWeight: number;
  /** f32 [B] target of q_continue (actContinueTarget), when no_ACT_continue is false; `out` must hold qContinue. */
  continueTarget?: Tensor;
}

/**
 * Reference ACTLossHead: per-sequence mean CE (stablemax by default) + 0.5·(BCE(q_halt, sequence exactly right)
 * + BCE(q_continue, its bootstrapped target) where that target is given).
 */
export function trmLoss(tape: Tape, out: StepOutput, labels: Tensor, opts: TrmLossOptions): TrmLoss {
  const ce = crossEntropy(tape, out.logits, labels, { kind: opts.kind });
  const B = labels.dim(0);
  const halt = bceWithLogits(tape, tape.reshape(out.qHalt, [B]), ce.exact);
  let q = halt, cont: Tensor | undefined;
  if (opts.continueTarget) {
    if (!out.qContinue) throw new Error('trmLoss: a continue target needs the model to output q_continue (actContinue)');
    cont = bceWithLogits(tape, tape.reshape(out.qContinue, [B]), opts.continueTarget);
    q = add(tape, halt, cont);
  }
  const total = add(tape, ce.loss, scale(tape, q, opts.haltWeight));
  return { total, lm: ce.loss, halt, ...(cont && { continue: cont }), correct: ce.correct, valid: ce.valid, exact: ce.exact };
}
