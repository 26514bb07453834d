import type { Tape } from '../autograd/tape';
import type { Tensor } from '../engine/tensor';
import type { ParamArena } from '../nn/arena';
import { add, column } from '../ops/elementwise';
import { embedInputs } from '../ops/embedding';
import { matmul, matrixView } from '../ops/matmul';
import type { DataShape, ModelConfig } from './config';
import { net, type Weights } from './net';
import { modelDims, NAMES, type ModelDims, type TrmBuffers } from './params';

/** What one supervision step reads: the slots' tokens and puzzle ids and the carried y, z. */
export interface StepInput {
  inputs: Tensor;
  puzzleIds: Tensor;
  y: Tensor;
  z: Tensor;
}

export interface StepOutput {
  /** New answer and latent [B, S, D] (to be carried, detached). */
  y: Tensor;
  z: Tensor;
  /** lm_head(y)[:, prefix:] — [B, L, V]. */
  logits: Tensor;
  /** q_head(y[:, 0])[halt] — [B, 1]. */
  qHalt: Tensor;
  /** q_head(y[:, 0])[continue] — [B, 1]; only with actContinue (no_ACT_continue false). */
  qContinue?: Tensor;
}

/** The reference's 1/√2 (its literal) on embedding + learned positions, keeping the sum's variance. */
export const LEARNED_POS_SCALE = 0.707106781;

/** Called after every latent (z) and answer (y) update, for the recursion viewer. */
export type RecursionObserver = (ev: { kind: 'z' | 'y'; cycle: number; update: number; value: Tensor }) => void;

/**
 * TRM (reference TinyRecursiveReasoningModel_ACTV1_Inner): one supervision step is T−1 recursion cycles
 * without gradient and one with; each cycle does n latent updates z = net(z, y + x) and one answer update
 * y = net(y, z). Only the halt row of q_head is computed unless actContinue: the continue logit has no loss in TRM.
 */
export class TrmModel {
  readonly dims: ModelDims;
  private readonly haltViews = new WeakMap<Weights, { w: Tensor; b: Tensor }>();

  constructor(readonly cfg: ModelConfig, readonly data: DataShape) {
    this.dims = modelDims(cfg, data);
  }

  /** Row 0 of q_head (weight [1, D] and bias [1]) as views of the given weight set, made once per set. */
  haltHead(weights: Weights): { w: Tensor; b: Tensor } {
    let v = this.haltViews.get(weights);
    if (!v) {
      const w = weights.get(NAMES.qHeadW)!, b = weights.get(NAMES.qHeadB)!;
      v = { w: w.engine.view(w, 0, [1, this.cfg.hidden]), b: b.engine.view(b, 0, [1]) };
      this.haltViews.set(weights, v);
    }
    return v;
  }

  /** Leaves to watch and where their gradients accumulate: every arena parameter plus the halt-head views. */
  gradTargets(arena: ParamArena): Map<Tensor, Tensor> {
    const targets = arena.gradTargets();
    const h = this.haltHead(arena.params);
    const e = arena.engine;
    targets.set(h.w, e.view(arena.grads.get(NAMES.qHeadW)!, 0, [1, this.cfg.hidden]));
    targets.set(h.b, e.view(arena.grads.get(NAMES.qHeadB)!, 0, [1]));
    return targets;
  }

  step(tape: Tape, weights: Weights, buffers: TrmBuffers, input: StepInput, observe?: RecursionObserver): StepOutput {
    const e = tape.engine;
    const m = this.cfg, dims = this.dims;
    const D = m.hidden, P = dims.prefix, S = dims.positions, L = this.data.seqLen;
    const B = input.inputs.dim(0);
    const pos = m.posEncoding === 'learned' ? weights.get(NAMES.embedPos)! : null;
    const scale = Math.sqrt(D) * (pos ? LEARNED_POS_SCALE : 1);
    const x = embedInputs(tape, input.inputs, buffers.puzzleEmb ? input.puzzleIds : null, weights.get(NAMES.embed)!, buffers.puzzleEmb, { prefixLen: P, scale }, pos);
    let y = input.y, z = input.z;
    const f = (h: Tensor, inj: Tensor) => net(tape, m, dims, weights, h, inj);
    // Replaced no-grad states are released at once so a long recursion holds only the current y, z.
    const swap = (old: Tensor, next: Tensor) => {
      if (old !== input.y && old !== input.z) e.release(old);
      return next;
    };
    tape.noGrad(() => {
      for (let c = 0; c < m.T - 1; c++) {
        const yx = add(tape, y, x);
        for (let i = 0; i < m.n; i++) {
          z = swap(z, e.scope(() => f(z, yx)));
          observe?.({ kind: 'z', cycle: c, update: i, value: z });
        }
        e.release(yx);
        y = swap(y, e.scope(() => f(y, z)));
        observe?.({ kind: 'y', cycle: c, update: m.n, value: y });
      }
    });
    const yx = add(tape, y, x);
    for (let i = 0; i < m.n; i++) {
      z = f(z, yx);
      observe?.({ kind: 'z', cycle: m.T - 1, update: i, value: z });
    }
    y = f(y, z);
    observe?.({ kind: 'y', cycle: m.T - 1, update: m.n, value: y });
    const logits = matmul(tape, matrixView(y, { batch: B, rows: L, cols: D, offset: P * D, batchStride: S * D }), weights.get(NAMES.lmHead)!, { transB: true, shape: [B, L, this.data.vocabSize] });
    const y0 = matrixView(y, { rows: B, cols: D, rowStride: S * D });
    if (m.actContinue) {
      const q = matmul(tape, y0, weights.get(NAMES.qHeadW)!, { transB: true, bias: weights.get(NAMES.qHeadB)!, shape: [B, 2] });
      return { y, z, logits, qHalt: column(tape, q, 0), qContinue: column(tape, q, 1) };
    }
    const halt = this.haltHead(weights);
    const qHalt = matmul(tape, y0, halt.w, { transB: true, bias: halt.b, shape: [B, 1] });
    return { y, z, logits, qHalt };
  }
}
