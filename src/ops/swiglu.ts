import type { Tape } from '../autograd/tape';
import type { Engine } from '../engine/engine';
import { assertShape, type Shape, type Tensor } from '../engine/tensor';
import type { GpuEngine } from '../gpu/engine';

const WG = 256;

/** Output shape [..., I] of a [..., 2I] input, after validation. */
function gatedShape(u: Tensor, what: string): Shape {
  if (u.dtype !== 'f32') throw new Error(`${what}: u must be f32, got ${u.dtype}`);
  const last = u.rank > 0 ? u.shape[u.rank - 1] : 0;
  if (last === 0 || last % 2 !== 0) {
    throw new Error(`${what}: u must be [..., 2·inter] (gate | up) with an even, non-zero last dimension, got [${u.shape.join(',')}]`);
  }
  return [...u.shape.slice(0, -1), last / 2];
}

/** σ(x) and 1 − σ(x) without overflow or cancellation (the CPU twin of the shader's sigmoid_pair). */
function sigmoidPair(x: number): [number, number] {
  const e = Math.exp(-Math.abs(x));
  const big = 1 / (1 + e), small = e / (1 + e);
  return x >= 0 ? [big, small] : [small, big];
}

/** out[..., i] = silu(u[..., i])·u[..., I + i] for u = [gate | up] of shape [..., 2I] (Linear(h → 2·inter) chunked in 2). */
export function swigluForward(e: Engine, u: Tensor): Tensor {
  const shape = gatedShape(u, 'swiglu');
  const inter = shape[shape.length - 1];
  const out = e.empty(shape);
  if (e.kind === 'gpu') {
    const g = e as GpuEngine;
    g.run({ shader: 'swiglu', entry: 'forward', params: [out.size, inter], buffers: [u, null, out], workgroups: g.grid(out.size, WG) });
  } else {
    const uv = u.f64, o = out.f64;
    for (let k = 0; k < o.length; k++) {
      const j = k + Math.floor(k / inter) * inter, x = uv[j];
      o[k] = x * sigmoidPair(x)[0] * uv[j + inter];
    }
  }
  return out;
}

/** du [..., 2I] from dOut [..., I]: both halves (gate: dOut·up·silu'(gate); up: dOut·silu(gate)) in one dispatch. */
export function swigluBackward(e: Engine, u: Tensor, dOut: Tensor): Tensor {
  const shape = gatedShape(u, 'swigluBackward');
  if (dOut.dtype !== 'f32') throw new Error(`swigluBackward: dOut must be f32, got ${dOut.dtype}`);
  assertShape(dOut, shape, 'swigluBackward (dOut)');
  const inter = shape[shape.length - 1];
  const du = e.empty(u.shape);
  if (e.kind === 'gpu') {
    const g = e as GpuEngine;
    g.run({ shader: 'swiglu', entry: 'backward', params: [dOut.size, inter], buffers: [u, dOut, du], workgroups: g.grid(dOut.size, WG) });
  } else {
    const uv = u.f64, gv = dOut.f64, o = du.f64;
    for (let k = 0; k < gv.length; k++) {
      const j = k + Math.floor(k / inter) * inter, x = uv[j];
      const [s, t] = sigmoidPair(x);
      o[j] = gv[k] * uv[j + inter] * s * (1 + x * t);
      o[j + inter] = gv[k] * x * s;
    }
  }
  return du;
}

/** Differentiable SwiGLU gate: silu(gate)·up for u = [gate | up] of shape [..., 2I] → [..., I]. */
export function swiglu(tape: Tape, u: Tensor): Tensor {
  const out = swigluForward(tape.engine, u);
  tape.record([u], [out], ([g]) => [g ? swigluBackward(tape.engine, u, g) : null]);
  return out;
}
