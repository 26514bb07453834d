import type { Engine } from '../engine/engine';
import type { Tensor } from '../engine/tensor';
import { ParamArena, type ParamSpec } from '../nn/arena';
import { lecunLinear, mulberry32, truncNormal } from '../nn/init';
import { swigluWidth, type DataShape, type ModelConfig } from './config';

/** Reference state_dict names (trm-spec Appendix B), so checkpoints map one-to-one onto the PyTorch model. */
export const NAMES = {
  embed: 'inner.embed_tokens.embedding_weight',
  lmHead: 'inner.lm_head.weight',
  qHeadW: 'inner.q_head.weight',
  qHeadB: 'inner.q_head.bias',
  yInit: 'inner.H_init',
  zInit: 'inner.L_init',
  puzzleEmb: 'inner.puzzle_emb.weights',
  layer: (i: number, what: string) => `inner.L_level.layers.${i}.${what}`,
} as const;

export interface ModelDims {
  /** Prefix + tokens: S = puzzleEmbLen + seqLen. */
  positions: number;
  /** Channel SwiGLU width. */
  inter: number;
  /** Token-mixer SwiGLU width (MLP variant). */
  interT: number;
  headDim: number;
}

export function modelDims(m: ModelConfig, d: DataShape): ModelDims {
  const positions = m.puzzleEmbLen + d.seqLen;
  return {
    positions,
    inter: swigluWidth(m.hidden, m.expansion, m.swigluMultiple),
    interT: swigluWidth(positions, m.expansion, m.swigluMultiple),
    headDim: m.hidden / m.heads,
  };
}

/** Trainable parameters in reference order with the reference initialisation (truncated normal, q_head 0 / −5). */
export function parameterSpecs(m: ModelConfig, d: DataShape, seed: number): ParamSpec[] {
  const rand = mulberry32(seed);
  const D = m.hidden, V = d.vocabSize;
  const { positions: S, inter, interT } = modelDims(m, d);
  const specs: ParamSpec[] = [
    { name: NAMES.embed, shape: [V, D], init: truncNormal(V * D, 1 / Math.sqrt(D), rand) },
    { name: NAMES.lmHead, shape: [V, D], init: lecunLinear(V, D, rand) },
    { name: NAMES.qHeadW, shape: [2, D], init: new Float64Array(2 * D) },
    { name: NAMES.qHeadB, shape: [2], init: [-5, -5] },
  ];
  for (let i = 0; i < m.layers; i++) {
    if (m.variant === 'attention') {
      specs.push({ name: NAMES.layer(i, 'self_attn.qkv_proj.weight'), shape: [3 * D, D], init: lecunLinear(3 * D, D, rand) });
      specs.push({ name: NAMES.layer(i, 'self_attn.o_proj.weight'), shape: [D, D], init: lecunLinear(D, D, rand) });
    } else {
      specs.push({ name: NAMES.layer(i, 'mlp_t.gate_up_proj.weight'), shape: [2 * interT, S], init: lecunLinear(2 * interT, S, rand) });
      specs.push({ name: NAMES.layer(i, 'mlp_t.down_proj.weight'), shape: [S, interT], init: lecunLinear(S, interT, rand) });
    }
    specs.push({ name: NAMES.layer(i, 'mlp.gate_up_proj.weight'), shape: [2 * inter, D], init: lecunLinear(2 * inter, D, rand) });
    specs.push({ name: NAMES.layer(i, 'mlp.down_proj.weight'), shape: [D, inter], init: lecunLinear(D, inter, rand) });
  }
  return specs;
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
