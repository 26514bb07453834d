import type { Tape } from '../autograd/tape';
import type { Engine } from '../engine/engine';
import { assertShape, type Tensor } from '../engine/tensor';
import type { GpuEngine } from '../gpu/engine';

const WG = 64;
/** The WGSL kernels keep one head row of ≤ 64 floats per thread in registers, as vec4s. */
const GPU_MAX_HEAD_DIM = 64;

export interface AttentionConfig {
  heads: number;
  headDim: number;
  /** Rotate-half RoPE on q and k over positions 0..S−1 with inverse frequencies base^(−2i/headDim); null/absent: none. */
  rope?: { base: number } | null;
}

export interface AttentionResult {
  /** [B, S, heads·headDim], heads concatenated (the o_proj input). */
  out: Tensor;
  /** [B, heads, S] natural-log logsumexp of each score row, saved for the backward pass. */
  lse: Tensor;
}

/** Check qkv against the config; returns [B, S]. */
function dims(e: Engine, qkv: Tensor, cfg: AttentionConfig): [number, number] {
  const { heads: H, headDim: Dh, rope } = cfg;
  if (!Number.isInteger(H) || H < 1) throw new Error(`attention: heads must be a positive integer, got ${H}`);
  if (!Number.isInteger(Dh) || Dh < 1) throw new Error(`attention: headDim must be a positive integer, got ${Dh}`);
  if (rope && Dh % 2 !== 0) throw new Error(`attention: RoPE needs an even headDim, got ${Dh}`);
  if (rope && !(rope.base > 0)) throw new Error(`attention: RoPE base must be positive, got ${rope.base}`);
  if (e.kind === 'gpu' && (Dh % 4 !== 0 || Dh > GPU_MAX_HEAD_DIM)) {
    throw new Error(`attention: the GPU kernels need headDim a multiple of 4 and at most ${GPU_MAX_HEAD_DIM}, got ${Dh}`);
  }
  if (qkv.rank !== 3) throw new Error(`attention: qkv must be [B, S, 3·heads·headDim], got [${qkv.shape.join(',')}]`);
  if (qkv.dim(2) !== 3 * H * Dh) {
    throw new Error(`attention: qkv last dim ${qkv.dim(2)} != 3·heads·headDim = 3·${H}·${Dh} = ${3 * H * Dh}`);
  }
  return [qkv.dim(0), qkv.dim(1)];
}

/** (cos, sin) of pos·base^(−i/half) at [pos·half + i], in float64. */
function ropeCosSin(S: number, half: number, base: number): Float64Array {
  const out = new Float64Array(S * half * 2);
  for (let i = 0; i < half; i++) {
    const invFreq = Math.pow(base, -i / half);
    for (let t = 0; t < S; t++) {
      const a = t * invFreq;
      out[(t * half + i) * 2] = Math.cos(a);
      out[(t * half + i) * 2 + 1] = Math.sin(a);
    }
  }
  return out;
}

// RoPE tables are tiny and reused by every layer and step: one per (engine, S, headDim, base), kept for good.
const ropeTables = new WeakMap<Engine, Map<string, Tensor>>();

function ropeTable(e: Engine, S: number, Dh: number, base: number): Tensor {
  let m = ropeTables.get(e);
  if (!m) ropeTables.set(e, (m = new Map()));
  const key = `${S}:${Dh}:${base}`;
  let t = m.get(key);
  if (!t || t.released) {
    t = e.keep(e.fromArray(ropeCosSin(S, Dh / 2, base), [S * Dh]));
    m.set(key, t);
  }
  return t;
}

/**
 * The tensor for the shader's RoPE binding. 'auto' layouts count the binding as used whatever the ROPE override
 * says, so without RoPE qkv stands in for it (never read).
 */
function ropeBinding(e: Engine, qkv: Tensor, S: number, cfg: AttentionConfig): Tensor {
  return cfg.rope ? ropeTable(e, S, cfg.headDim, cfg.rope.base) : qkv;
}

function constants(cfg: AttentionConfig): Record<string, number> {
  return { DH: cfg.headDim, ROPE: cfg.rope ? 1 : 0 };
}

/**
 * Per head, the rows [B·S][Dh] of one slot of qkv (0 = q, 1 = k, 2 = v), RoPE-rotated for q and k when `cs`
 * is given (x·cos + rotate_half(x)·sin).
 */
function cpuHead(qkv: Float64Array, b: number, h: number, slot: number, S: number, H: number, Dh: number, cs: Float64Array | null): Float64Array {
  const half = Dh / 2, out = new Float64Array(S * Dh);
  for (let t = 0; t < S; t++) {
    const base = ((b * S + t) * 3 * H + slot * H + h) * Dh;
    for (let d = 0; d < Dh; d++) {
      let x = qkv[base + d];
      if (cs && slot < 2) {
        const i = d % half, c = cs[(t * half + i) * 2], s = cs[(t * half + i) * 2 + 1];
        x = d < half ? x * c - qkv[base + d + half] * s : x * c + qkv[base + d - half] * s;
      }
      out[t * Dh + d] = x;
    }
  }
  return out;
}

/** Full softmax(q·kᵀ/√Dh) matrix [S][S] of one (batch, head), and each row's logsumexp. */
function cpuProbs(q: Float64Array, k: Float64Array, S: number, Dh: number): { P: Float64Array; lse: Float64Array } {
  const P = new Float64Array(S * S), lse = new Float64Array(S), scale = 1 / Math.sqrt(Dh);
  for (let i = 0; i < S; i++) {
    let mx = -Infinity;
    for (let j = 0; j < S; j++) {
      let s = 0;
      for (let d = 0; d < Dh; d++) s += q[i * Dh + d] * k[j * Dh + d];
      P[i * S + j] = s * scale;
      mx = Math.max(mx, s * scale);
    }
    let sum = 0;
    for (let j = 0; j < S; j++) sum += Math.exp(P[i * S + j] - mx);
    for (let j = 0; j < S; j++) P[i * S + j] = Math.exp(P[i * S + j] - mx) / sum;
    lse[i] = mx + Math.log(sum);
  }
  return { P, lse };
}

/**
 * softmax(rope(q)·rope(k)ᵀ/√Dh)·v per head, non-causal and unmasked, from the packed qkv [B, S, 3·H·Dh]
 * (per token: q heads, then k heads, then v heads, as PyTorch's `qkv.view(B, S, 3H, Dh)`).
 */
export function attentionForward(e: Engine, qkv: Tensor, cfg: AttentionConfig): AttentionResult {
  const [B, S] = dims(e, qkv, cfg);
  const { heads: H, headDim: Dh } = cfg;
  const out = e.empty([B, S, H * Dh]);
  const lse = e.empty([B, H, S]);
  if (e.kind === 'gpu') {
    const g = e as GpuEngine;
    g.run({ shader: 'attention', entry: 'forward', constants: constants(cfg), params: [S, H], buffers: [qkv, ropeBinding(e, qkv, S, cfg), out, lse], workgroups: [Math.ceil(S / WG), H, B] });
    return { out, lse };
  }
  const x = qkv.f64, o = out.f64, l = lse.f64;
  const cs = cfg.rope ? ropeCosSin(S, Dh / 2, cfg.rope.base) : null;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const q = cpuHead(x, b, h, 0, S, H, Dh, cs), k = cpuHead(x, b, h, 1, S, H, Dh, cs), v = cpuHead(x, b, h, 2, S, H, Dh, null);
      const { P, lse: rowLse } = cpuProbs(q, k, S, Dh);
      for (let i = 0; i < S; i++) {
        l[(b * H + h) * S + i] = rowLse[i];
        for (let d = 0; d < Dh; d++) {
          let acc = 0;
          for (let j = 0; j < S; j++) acc += P[i * S + j] * v[j * Dh + d];
          o[((b * S + i) * H + h) * Dh + d] = acc;
        }
      }
    }
  }
  return { out, lse };
}

/**
 * Gradient of attentionForward: dqkv [B, S, 3·H·Dh] in qkv's packed layout (what the qkv projection's backward
 * consumes), from the forward's `out` and `lse` and the output gradient `gradOut` [B, S, H·Dh]. The GPU uses
 * `out`/`lse` (D = rowsum(dO∘O), p = exp(s − lse)); the CPU twin recomputes the full probability matrix and
 * ignores them.
 */
export function attentionBackward(e: Engine, qkv: Tensor, out: Tensor, lse: Tensor, gradOut: Tensor, cfg: AttentionConfig): Tensor {
  const [B, S] = dims(e, qkv, cfg);
  const { heads: H, headDim: Dh } = cfg;
  assertShape(out, [B, S, H * Dh], 'attentionBackward out');
  assertShape(lse, [B, H, S], 'attentionBackward lse');
  assertShape(gradOut, [B, S, H * Dh], 'attentionBackward gradOut');
  const dqkv = e.empty(qkv.shape);
  if (e.kind === 'gpu') {
    const g = e as GpuEngine;
    g.run({ shader: 'attention', entry: 'backward', constants: constants(cfg), params: [S, H], buffers: [qkv, ropeBinding(e, qkv, S, cfg), null, null, out, lse, gradOut, dqkv], workgroups: [3 * Math.ceil(S / WG), H, B] });
    return dqkv;
  }
  const x = qkv.f64, go = gradOut.f64, dx = dqkv.f64, scale = 1 / Math.sqrt(Dh), half = Dh / 2;
  const cs = cfg.rope ? ropeCosSin(S, half, cfg.rope.base) : null;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const q = cpuHead(x, b, h, 0, S, H, Dh, cs), k = cpuHead(x, b, h, 1, S, H, Dh, cs), v = cpuHead(x, b, h, 2, S, H, Dh, null);
      const { P } = cpuProbs(q, k, S, Dh);
      const dO = new Float64Array(S * Dh);
      for (let t = 0; t < S; t++) for (let d = 0; d < Dh; d++) dO[t * Dh + d] = go[((b * S + t) * H + h) * Dh + d];
      // dP = dO·vᵀ, then dS = P∘(dP − rowsum(P∘dP)), the softmax backward.
      const dS = new Float64Array(S * S);
      for (let i = 0; i < S; i++) {
        let rs = 0;
        for (let j = 0; j < S; j++) {
          let dp = 0;
          for (let d = 0; d < Dh; d++) dp += dO[i * Dh + d] * v[j * Dh + d];
          dS[i * S + j] = dp;
          rs += P[i * S + j] * dp;
        }
        for (let j = 0; j < S; j++) dS[i * S + j] = P[i * S + j] * (dS[i * S + j] - rs);
      }
      // dq = scale·dS·k, dk = scale·dSᵀ·q, dv = Pᵀ·dO (gradients w.r.t. the rotated q and k).
      const dq = new Float64Array(S * Dh), dk = new Float64Array(S * Dh), dv = new Float64Array(S * Dh);
      for (let i = 0; i < S; i++) {
        for (let j = 0; j < S; j++) {
          const ds = dS[i * S + j] * scale, pr = P[i * S + j];
          for (let d = 0; d < Dh; d++) {
            dq[i * Dh + d] += ds * k[j * Dh + d];
            dk[j * Dh + d] += ds * q[i * Dh + d];
            dv[j * Dh + d] += pr * dO[i * Dh + d];
          }
        }
      }
      for (let t = 0; t < S; t++) {
        [dq, dk, dv].forEach((g, slot) => {
          const base = ((b * S + t) * 3 * H + slot * H + h) * Dh;
          for (let d = 0; d < Dh; d++) {
            let y = g[t * Dh + d];
            // RoPE backward: the transpose rotation g·cos − rotate_half(g)·sin.
            if (cs && slot < 2) {
              const i = d % half, c = cs[(t * half + i) * 2], s = cs[(t * half + i) * 2 + 1];
              y = d < half ? y * c + g[t * Dh + d + half] * s : y * c - g[t * Dh + d - half] * s;
            }
            dx[base + d] = y;
          }
        });
      }
    }
  }
  return dqkv;
}

/** Differentiable multi-head self-attention: qkv [B, S, 3·heads·headDim] → [B, S, heads·headDim]. */
export function attention(tape: Tape, qkv: Tensor, cfg: AttentionConfig): Tensor {
  const e = tape.engine;
  const { out, lse } = attentionForward(e, qkv, cfg);
  tape.record([qkv], [out], ([g]) => [g ? attentionBackward(e, qkv, out, lse, g, cfg) : null]);
  return out;
}
