import type { Tape } from '../autograd/tape';
import type { Tensor } from '../engine/tensor';
import { attention } from '../ops/attention';
import { add } from '../ops/elementwise';
import { linear, matmul, matrixView } from '../ops/matmul';
import { addRmsNorm } from '../ops/rmsnorm';
import type { ModelConfig } from './config';
import { NAMES, type ModelDims } from './params';

export type Weights = ReadonlyMap<string, Tensor>;

function w(weights: Weights, name: string): Tensor {
  const t = weights.get(name);
  if (!t) throw new Error(`missing weight ${name}`);
  return t;
}

/**
 * One post-norm block on h [B, S, D] (reference Block): token mixing (attention, or the MLP-mixer whose
 * RMSNorm runs over the sequence axis as the code does), then the channel SwiGLU, each followed by
 * rmsnorm(h + f(h)) without gain.
 */
export function block(tape: Tape, m: ModelConfig, dims: ModelDims, weights: Weights, i: number, h: Tensor): Tensor {
  const eps = m.rmsEps;
  if (m.variant === 'attention') {
    const qkv = linear(tape, h, w(weights, NAMES.layer(i, 'self_attn.qkv_proj.weight')));
    const a = attention(tape, qkv, { heads: m.heads, headDim: dims.headDim, rope: m.posEncoding === 'rope' ? { base: m.ropeBase } : null });
    const o = linear(tape, a, w(weights, NAMES.layer(i, 'self_attn.o_proj.weight')));
    h = addRmsNorm(tape, h, o, { axis: 'channel', eps });
  } else {
    // Token mixer on the transposed [B, D, S] tensor, folded into matmul flags: gu[b] = h[b]ᵀ·W_guᵀ,
    // mixed[b] = W_down·swiglu(gu[b])ᵀ lands back in [B, S, D].
    const [B, S, D] = h.shape;
    const wgu = w(weights, NAMES.layer(i, 'mlp_t.gate_up_proj.weight'));
    const gu = matmul(tape, matrixView(h), wgu, { transA: true, transB: true, shape: [B, D, wgu.dim(0)] });
    const mixed = matmul(tape, w(weights, NAMES.layer(i, 'mlp_t.down_proj.weight')), gu, { transB: true, gate: 'b', shape: [B, S, D] });
    h = addRmsNorm(tape, h, mixed, { axis: 'sequence', eps });
  }
  const gu = linear(tape, h, w(weights, NAMES.layer(i, 'mlp.gate_up_proj.weight')));
  const d = linear(tape, gu, w(weights, NAMES.layer(i, 'mlp.down_proj.weight')), { gated: true });
  return addRmsNorm(tape, h, d, { axis: 'channel', eps });
}

/** The one network: net(h, injection) = Blocks(h + injection). */
export function net(tape: Tape, m: ModelConfig, dims: ModelDims, weights: Weights, h: Tensor, injection: Tensor): Tensor {
  let x = add(tape, h, injection);
  for (let i = 0; i < m.layers; i++) x = block(tape, m, dims, weights, i, x);
  return x;
}
