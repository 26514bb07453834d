import type { Engine } from '../engine/engine';
import type { Shape, Tensor } from '../engine/tensor';
import type { GpuEngine } from '../gpu/engine';

const WG = 256;

/** Output shape [..., I] of a [..., 2I] input, after validation. */
function gatedShape(u: Tensor): Shape {
  if (u.dtype !== 'f32') throw new Error(`swiglu: u must be f32, got ${u.dtype}`);
  const last = u.rank > 0 ? u.shape[u.rank - 1] : 0;
  if (last === 0 || last % 2 !== 0) {
    throw new Error(`swiglu: u must be [..., 2·inter] (gate | up) with an even, non-zero last dimension, got [${u.shape.join(',')}]`);
  }
  return [...u.shape.slice(0, -1), last / 2];
}

/** σ(x) and 1 − σ(x) without overflow or cancellation (the CPU twin of the shader's sigmoid_pair). */
function sigmoidPair(x: number): [number, number] {
  const e = Math.exp(-Math.abs(x));
  const big = 1 / (1 + e), small = e / (1 + e);
  return x >= 0 ? [big, small] : [small, big];
}

/**
 * (d gate, d up) for one gate, up and dOut: dOut·up·silu'(gate) with silu' = σ·(1 + x·(1 − σ)), and
 * dOut·silu(gate). The CPU twin of matmul's SwiGLU epilogue, where the backward runs.
 */
export function swigluGrad(gate: number, up: number, dOut: number): [number, number] {
  const [s, t] = sigmoidPair(gate);
  return [dOut * up * s * (1 + gate * t), dOut * gate * s];
}

/** silu(gate)·up. */
export function swigluValue(gate: number, up: number): number {
  return gate * sigmoidPair(gate)[0] * up;
}

/** out[..., i] = silu(u[..., i])·u[..., I + i] for u = [gate | up] of shape [..., 2I] (Linear(h → 2·inter) chunked in 2). */
export function swigluForward(e: Engine, u: Tensor): Tensor {
  const shape = gatedShape(u);
  const inter = shape[shape.length - 1];
  const out = e.empty(shape);
  if (e.kind === 'gpu') {
    const g = e as GpuEngine;
    g.run({ shader: 'swiglu', entry: 'forward', params: [out.size, inter], buffers: [u, out], workgroups: g.grid(out.size, WG) });
  } else {
    const uv = u.f64, o = out.f64;
    for (let k = 0; k < o.length; k++) {
      const j = k + Math.floor(k / inter) * inter;
      o[k] = swigluValue(uv[j], uv[j + inter]);
    }
  }
  return out;
}
