import type { Engine } from '../engine/engine';
import type { Tensor } from '../engine/tensor';
import { ParamArena, type ParamSpec } from '../nn/arena';
import { lecunLinear, mulberry32, truncNormal } from '../nn/init';
import { prefixLength, swigluWidth, type DataShape, type ModelConfig } from './config';

/** Reference state_dict names (trm-spec Appendix B), so checkpoints map one-to-one onto the PyTorch model. */
export const NAMES = {
  embed: 'inner.embed_tokens.embedding_weight',
  /** The learned position table (pos_encodings: learned), [S, D]. */
  embedPos: 'inner.embed_pos.embedding_weight',
  lmHead: 'inner.lm_head.weight',
  qHeadW: 'inner.q_head.weight',
  qHeadB: 'inner.q_head.bias',
  yInit: 'inner.H_init',
  zInit: 'inner.L_init',
  puzzleEmb: 'inner.puzzle_emb.weights',
  layer: (i: number, what: string) => `inner.L_level.layers.${i}.${what}`,
} as const;

export interface ModelDims {
  /** Prefix positions before the tokens (prefixLength: puzzle_emb_len, or ceil(puzzle_emb_ndim / D) where it is 0). */
  prefix: number;
  /** Prefix + tokens: S = prefix + seqLen. */
  positions: number;
  /** Channel SwiGLU width. */
  inter: number;
  /** Token-mixer SwiGLU width (MLP variant). */
  interT: number;
  headDim: number;
}

export function modelDims(m: ModelConfig, d: DataShape): ModelDims {
  const prefix = prefixLength(m);
  const positions = prefix + d.seqLen;
  return {
    prefix,
    positions,
    inter: swigluWidth(m.hidden, m.expansion, m.swigluMultiple),
    interT: swigluWidth(positions, m.expansion, m.swigluMultiple),
    headDim: m.hidden / m.heads,
  };
}

/** The trainable tensors' reference names and shapes, in reference order: what a checkpoint must hold. */
export function parameterShapes(m: ModelConfig, d: DataShape): { name: string; shape: number[] }[] {
  const D = m.hidden, V = d.vocabSize;
  const { positions: S, inter, interT } = modelDims(m, d);
  const shapes: { name: string; shape: number[] }[] = [
    { name: NAMES.embed, shape: [V, D] },
    { name: NAMES.lmHead, shape: [V, D] },
    { name: NAMES.qHeadW, shape: [2, D] },
    { name: NAMES.qHeadB, shape: [2] },
  ];
  if (m.posEncoding === 'learned') shapes.push({ name: NAMES.embedPos, shape: [S, D] });
  for (let i = 0; i < m.layers; i++) {
    if (m.variant === 'attention') {
      shapes.push({ name: NAMES.layer(i, 'self_attn.qkv_proj.weight'), shape: [3 * D, D] });
      shapes.push({ name: NAMES.layer(i, 'self_attn.o_proj.weight'), shape: [D, D] });
    } else {
      shapes.push({ name: NAMES.layer(i, 'mlp_t.gate_up_proj.weight'), shape: [2 * interT, S] });
      shapes.push({ name: NAMES.layer(i, 'mlp_t.down_proj.weight'), shape: [S, interT] });
    }
    shapes.push({ name: NAMES.layer(i, 'mlp.gate_up_proj.weight'), shape: [2 * inter, D] });
    shapes.push({ name: NAMES.layer(i, 'mlp.down_proj.weight'), shape: [D, inter] });
  }
  return shapes;
}

/**
 * Trainable parameters with the reference initialisation (truncated normal embeddings with std 1/√D, LeCun-normal
 * linears, q_head 0 / −5), drawn in reference order so a seed gives the same weights.
 */
export function parameterSpecs(m: ModelConfig, d: DataShape, seed: number): ParamSpec[] {
  const rand = mulberry32(seed);
  return parameterShapes(m, d).map(({ name, shape }) => {
    const [rows, cols] = shape;
    const init =
      name === NAMES.embed || name === NAMES.embedPos ? truncNormal(rows * cols, 1 / Math.sqrt(m.hidden), rand)
      : name === NAMES.qHeadW ? new Float64Array(rows * cols)
      : name === NAMES.qHeadB ? [-5, -5]
      : lecunLinear(rows, cols, rand);
    return { name, shape, init };
  });
}

/** Non-trained state: the fixed random y/z initial vectors and the puzzle-embedding table (its own optimizer). */
export interface TrmBuffers {
  yInit: Tensor;
  zInit: Tensor;
  /** [numPuzzleIds, puzzleEmbDim], zero-initialised; null when puzzleEmbDim = 0. */
  puzzleEmb: Tensor | null;
}

export function createBuffers(e: Engine, m: ModelConfig, d: DataShape, seed: number): TrmBuffers {
  const rand = mulberry32(seed ^ 0x5bd1e995);
  return {
    yInit: e.keep(e.fromArray(truncNormal(m.hidden, 1, rand), [m.hidden])),
    zInit: e.keep(e.fromArray(truncNormal(m.hidden, 1, rand), [m.hidden])),
    puzzleEmb: m.puzzleEmbDim > 0 ? e.keep(e.zeros([d.numPuzzleIds, m.puzzleEmbDim])) : null,
  };
}

/** The tensors one forward pass reads: a parameter set (live or EMA) plus the buffers. */
export interface WeightSet {
  get(name: string): Tensor;
}

export function createArena(e: Engine, m: ModelConfig, d: DataShape, seed: number): ParamArena {
  return new ParamArena(e, parameterSpecs(m, d, seed));
}
