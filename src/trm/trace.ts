import { Tape } from '../autograd/tape';
import type { Example } from '../data/dataset';
import { IGNORE_LABEL } from '../data/dataset';
import { createCarry, actRefill, releaseCarry } from '../ops/act';
import { copyInto } from '../ops/elementwise';
import { matmulForward, matrixView } from '../ops/matmul';
import type { Tensor } from '../engine/tensor';
import type { Trainer } from './trainer';
import type { Weights } from './net';
import { argmaxRow } from './decode';
import { NAMES } from './params';

/** One refinement of y or z, decoded through lm_head (the paper's Fig. 6: y reads as a solution, z does not). */
export interface TraceFrame {
  /** Supervision step 1..N_sup. */
  supStep: number;
  /** Recursion cycle 1..T. */
  cycle: number;
  /** Latent update 1..n for z; n + 1 for the answer update y. */
  update: number;
  kind: 'z' | 'y';
  /** argmax token per position [L]. */
  tokens: Int32Array;
  /** Probability of that token per position [L] (stablemax or softmax, as the model was trained). */
  confidence: Float32Array;
}

export interface SupStepSummary {
  supStep: number;
  /** σ(q_halt): the model's belief that its answer is right (it would halt when > 0.5). */
  haltProb: number;
  /** Answer equals the target at every supervised position (null without a target). */
  correct: boolean | null;
  /** Supervised positions answered right. */
  correctCells: number | null;
}

export interface RecursionTrace {
  seqLen: number;
  vocabSize: number;
  nSup: number;
  T: number;
  n: number;
  frames: TraceFrame[];
  steps: SupStepSummary[];
}

function decode(logits: ArrayLike<number>, L: number, V: number, stablemax: boolean): { tokens: Int32Array; confidence: Float32Array } {
  const tokens = new Int32Array(L), confidence = new Float32Array(L);
  const s = (x: number) => (x < 0 ? 1 / (1 - x) : x + 1);
  for (let i = 0; i < L; i++) {
    const best = argmaxRow(logits, i, V), max = logits[i * V + best];
    let z = 0;
    for (let v = 0; v < V; v++) z += stablemax ? s(logits[i * V + v]) : Math.exp(logits[i * V + v] - max);
    tokens[i] = best;
    confidence[i] = stablemax ? s(max) / z : 1 / z;
  }
  return { tokens, confidence };
}

export interface TraceOptions {
  weights?: Weights;
  /**
   * Called after each supervision step but the last with the trace so far (frames and step summaries of the
   * steps done; a snapshot), so a viewer can show the refinement while the model still runs.
   */
  onStep?: (partial: RecursionTrace) => void;
}

/**
 * Run the model on one example for all N_sup supervision steps (no early halting), capturing y and z after
 * every latent update of every cycle, decoded through lm_head, plus σ(q_halt) and correctness per step.
 */
export async function captureTrace(trainer: Trainer, ex: Example, opts: TraceOptions = {}): Promise<RecursionTrace> {
  const e = trainer.engine, m = trainer.cfg.model, info = trainer.data.info;
  const weights = opts.weights ?? trainer.evalWeights();
  const L = info.seqLen, V = info.vocabSize, D = m.hidden, P = trainer.model.dims.prefix, S = trainer.model.dims.positions;
  const stablemax = trainer.cfg.optim.loss === 'stablemax';
  const c = createCarry(e, 1, L, S, D);
  const batch = e.scope(() => ({ inputs: e.fromArray(ex.inputs, [1, L], 'i32'), labels: e.fromArray(ex.labels, [1, L], 'i32'), puzzleIds: e.fromArray([ex.puzzleId], [1], 'i32') }));
  actRefill(e, c, batch, trainer.buffers.yInit, trainer.buffers.zInit);
  const lmHead = weights.get(NAMES.lmHead)!;
  const logitsOf = (h: Tensor) => matmulForward(e, matrixView(h, { batch: 1, rows: L, cols: D, offset: P * D, batchStride: S * D }), lmHead, { transB: true });
  const supervised = Array.from(ex.labels).map((l, i) => [l, i] as const).filter(([l]) => l !== IGNORE_LABEL);
  const hasTarget = supervised.length > 0;
  const trace: RecursionTrace = { seqLen: L, vocabSize: V, nSup: m.nSup, T: m.T, n: m.n, frames: [], steps: [] };
  const tape = new Tape(e);
  for (let s = 0; s < m.nSup; s++) {
    const pending: { frame: Omit<TraceFrame, 'tokens' | 'confidence'>; read: Promise<ArrayLike<number>> }[] = [];
    let qRead!: Promise<ArrayLike<number>>;
    tape.noGrad(() => e.scope(() => {
      const out = trainer.model.step(tape, weights, trainer.buffers, c, (ev) => {
        pending.push({ frame: { supStep: s + 1, cycle: ev.cycle + 1, update: ev.update + 1, kind: ev.kind }, read: e.read(logitsOf(ev.value)) });
      });
      qRead = e.read(out.qHalt);
      copyInto(e, c.y, out.y);
      copyInto(e, c.z, out.z);
    }));
    e.flush();
    for (const p of pending) trace.frames.push({ ...p.frame, ...decode(await p.read, L, V, stablemax) });
    const q = await qRead;
    const y = trace.frames.filter((f) => f.kind === 'y').at(-1)!;
    const right = supervised.filter(([l, i]) => y.tokens[i] === l).length;
    trace.steps.push({ supStep: s + 1, haltProb: 1 / (1 + Math.exp(-q[0])), correct: hasTarget ? right === supervised.length : null, correctCells: hasTarget ? right : null });
    if (s + 1 < m.nSup) opts.onStep?.({ ...trace, frames: [...trace.frames], steps: [...trace.steps] });
  }
  for (const t of Object.values(batch)) e.release(t);
  releaseCarry(e, c);
  return trace;
}
