/**
 * The arithmetic a training run costs, counted from its config before anything runs, so the page can say how
 * long a config will take on this device (with a measured FLOP rate) before the user presses Start.
 *
 * Counted: every matmul (2·m·k·n), attention's two S² products per head (QKᵀ and PV), lm_head and the q head,
 * the embedding lookup's scale and its gradient's scatter, and the optimizer's per-parameter update.
 * Elementwise ops (RMSNorm, SwiGLU's gate, residual adds, the loss) are a few FLOPs per activation and left out.
 */
import type { DataShape, ModelConfig, TrainConfig } from './config';
import { modelDims, parameterShapes } from './params';

/** Backward of a matmul: one product for the input gradient and one for the weight gradient. */
const MATMUL_BACKWARD = 2;
/**
 * Backward of fused attention: no score matrix is kept (see memory.ts), so it recomputes QKᵀ, then forms
 * dV = Pᵀ·dO, dP = dO·Vᵀ, dQ = dS·K and dK = dSᵀ·Q: five S² products against the forward's two.
 */
const ATTENTION_BACKWARD = 2.5;
/** AdamATan2/AdamW moments, update and decay, the EMA copy, the gradient norm and zeroing: per parameter. */
export const OPTIMIZER_FLOPS_PER_PARAM = 20;
/** Sign-SGD on one puzzle-embedding row entry: sign, decay, update. */
const PUZZLE_EMB_FLOPS_PER_ENTRY = 4;

/** FLOPs of one forward application of the network net(h, injection) on B sequences, split by kind. */
export function netFlops(m: ModelConfig, data: DataShape, B: number): { matmul: number; attention: number } {
  const D = m.hidden;
  const { positions: S, inter, interT } = modelDims(m, data);
  const R = B * S;
  const channel = 2 * R * D * 2 * inter + 2 * R * inter * D;
  const mixer = m.variant === 'attention'
    ? 2 * R * D * 3 * D + 2 * R * D * D
    : 2 * B * D * S * 2 * interT + 2 * B * D * interT * S;
  // QKᵀ and PV: 2·S·S·headDim each per head, heads·headDim = D.
  const attention = m.variant === 'attention' ? 2 * (2 * B * S * S * D) : 0;
  return { matmul: m.layers * (mixer + channel), attention: m.layers * attention };
}

/** FLOPs of the heads and the embedding on B sequences: lm_head over the L answer tokens, q head, x = √D·embed. */
function headFlops(m: ModelConfig, data: DataShape, B: number): { heads: number; embed: number } {
  const D = m.hidden;
  const { positions: S } = modelDims(m, data);
  const qRows = m.actContinue ? 2 : 1;
  return { heads: 2 * B * data.seqLen * D * data.vocabSize + 2 * B * D * qRows, embed: B * S * D };
}

/** Forward FLOPs of one supervision step on B sequences: T·(n + 1) network applications plus heads and embedding. */
export function supervisionStepFlops(m: ModelConfig, data: DataShape, B: number): number {
  const f = netFlops(m, data, B), h = headFlops(m, data, B);
  return m.T * (m.n + 1) * (f.matmul + f.attention) + h.heads + h.embed;
}

export interface StepCost {
  /** All T·(n + 1) network applications, the heads and the embedding (twice with actContinue: its extra pass). */
  forward: number;
  /** The last cycle's n + 1 applications, the heads and the embedding's scatter, backwards. */
  backward: number;
  /** The parameter arena's update and the puzzle-embedding rows the batch touched. */
  optimizer: number;
  total: number;
}

/** FLOPs of one optimizer step of `cfg` (one supervision step for each of the batch's slots). */
export function stepCost(cfg: TrainConfig, data: DataShape): StepCost {
  const m = cfg.model, B = cfg.optim.batchSize;
  const f = netFlops(m, data, B), h = headFlops(m, data, B);
  // With actContinue the q_continue target needs the next supervision step's q: one more forward pass.
  const forward = supervisionStepFlops(m, data, B) * (m.actContinue ? 2 : 1);
  const backward = (m.n + 1) * (MATMUL_BACKWARD * f.matmul + ATTENTION_BACKWARD * f.attention) + MATMUL_BACKWARD * h.heads + h.embed;
  const params = parameterShapes(m, data).reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
  const optimizer = OPTIMIZER_FLOPS_PER_PARAM * params + (m.puzzleEmbDim > 0 ? PUZZLE_EMB_FLOPS_PER_ENTRY * B * m.puzzleEmbDim : 0);
  return { forward, backward, optimizer, total: forward + backward + optimizer };
}

export interface RunCost {
  step: StepCost;
  /** steps × step.total. */
  train: number;
  /** The scheduled evaluations: each runs evalSamples puzzles through all N_sup supervision steps. */
  eval: number;
  total: number;
}

/** FLOPs of a whole run of `cfg`: its training steps and the evaluations the loop schedules (every evalEvery, and at the end). */
export function runCost(cfg: TrainConfig, data: DataShape): RunCost {
  const step = stepCost(cfg, data);
  const evals = (cfg.evalEvery > 0 ? Math.floor((cfg.steps - 1) / cfg.evalEvery) : 0) + 1;
  const evalFlops = evals * cfg.evalSamples * cfg.model.nSup * supervisionStepFlops(cfg.model, data, 1);
  const train = cfg.steps * step.total;
  return { step, train, eval: evalFlops, total: train + evalFlops };
}
