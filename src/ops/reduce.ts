import type { Tape } from '../autograd/tape';
import type { Engine } from '../engine/engine';
import type { Tensor } from '../engine/tensor';
import type { GpuEngine } from '../gpu/engine';
import { f32 } from '../gpu/params';

const WG = 256;
/**
 * Pass-1 threads sum at least this many elements serially before the tree: a grid-stride loop is as fast as
 * more workgroups on a GPU, and far cheaper where workgroup barriers are emulated (SwiftShader: ~3 ms each).
 */
const PER_THREAD = 16;
/** Pass-1 workgroups at most: enough to fill a large GPU, few enough for pass 2's single workgroup. */
const MAX_GROUPS = 1024;
/** Up to this length one workgroup sums x directly (one dispatch: loss vectors, small tensors). */
const SINGLE_PASS = PER_THREAD * WG;

export type ReduceKind = 'sum' | 'sumsq';

/** Pass-1 workgroup count for n elements; element i belongs to partial ⌊(i mod (G·256)) / 256⌋. */
export function partialGroups(n: number): number {
  return Math.min(MAX_GROUPS, Math.max(1, Math.ceil(n / (WG * PER_THREAD))));
}

function isNonFinite(v: number): boolean {
  return !Number.isFinite(Math.fround(v));
}

/**
 * Pass 1 over a flat f32 tensor. 'sum': [G] slice sums. 'sumsq': [2G] (Σ x² over finite elements, count of
 * Inf/NaN) per slice. G = partialGroups(n).
 */
export function reducePartials(e: Engine, x: Tensor, kind: ReduceKind): Tensor {
  const n = x.size, G = partialGroups(n);
  const out = e.empty([kind === 'sum' ? G : 2 * G]);
  if (e.kind === 'gpu') {
    (e as GpuEngine).run({ shader: 'reduce', entry: `${kind}_partial`, params: [n, G, f32(1)], buffers: [x, out], workgroups: [G] });
  } else {
    const xs = x.f64, o = out.f64;
    o.fill(0);
    for (let i = 0; i < n; i++) {
      const k = Math.floor((i % (G * WG)) / WG);
      if (kind === 'sum') o[k] += xs[i];
      else if (isNonFinite(xs[i])) o[2 * k + 1] += 1;
      else o[2 * k] += xs[i] * xs[i];
    }
  }
  return out;
}

/**
 * Pass 2. 'sum': partials [G] → [1] = scale · Σ. 'sumsq': partials [2G] → [2] = [√Σ sums, Σ counts].
 * For 'sum', passing x itself (any length) is the one-dispatch reduction used for short tensors.
 */
export function reduceFinal(e: Engine, partials: Tensor, kind: ReduceKind, scale = 1): Tensor {
  const pairs = kind === 'sumsq';
  const n = pairs ? partials.size / 2 : partials.size;
  const out = e.empty([pairs ? 2 : 1]);
  if (e.kind === 'gpu') {
    (e as GpuEngine).run({ shader: 'reduce', entry: `${kind}_final`, params: [n, 1, f32(scale)], buffers: [partials, out], workgroups: [1] });
  } else {
    const xs = partials.f64, o = out.f64;
    if (pairs) {
      let s = 0, b = 0;
      for (let i = 0; i < n; i++) {
        s += xs[2 * i];
        b += xs[2 * i + 1];
      }
      o[0] = Math.sqrt(s);
      o[1] = b;
    } else {
      let s = 0;
      for (let i = 0; i < n; i++) s += xs[i];
      o[0] = scale * s;
    }
  }
  return out;
}

/** [1] = scale · Σ x, deterministic (the order of additions depends only on x.size). */
export function sumForward(e: Engine, x: Tensor, scale = 1): Tensor {
  if (x.size <= SINGLE_PASS) return reduceFinal(e, x, 'sum', scale);
  const partials = reducePartials(e, x, 'sum');
  const out = reduceFinal(e, partials, 'sum', scale);
  // Safe to recycle at once: later dispatches on a reused buffer are ordered after these two.
  e.release(partials);
  return out;
}

/** Gradient of scale · Σ x with respect to x: a tensor of x's shape filled with scale · g[0]. */
export function sumBackward(e: Engine, g: Tensor, like: Tensor, scale = 1): Tensor {
  const out = e.empty(like.shape);
  if (e.kind === 'gpu') {
    const ge = e as GpuEngine;
    ge.run({ shader: 'reduce', entry: 'sum_backward', params: [out.size, 1, f32(scale)], buffers: [g, out], workgroups: ge.grid(out.size, WG) });
  } else out.f64.fill(scale * g.f64[0]);
  return out;
}

/**
 * Global L2 norm of a flat buffer (the gradient arena): [2] = [‖g‖₂ over the finite elements, number of Inf/NaN
 * elements]. Two dispatches, no readback; optimizers read element 1 on the GPU to skip a non-finite step.
 * Squares are summed in f32, so ‖g‖ overflows to Inf above ~1.8e19 (the count stays 0 then).
 */
export function gradNorm(e: Engine, g: Tensor): Tensor {
  const partials = reducePartials(e, g, 'sumsq');
  const out = reduceFinal(e, partials, 'sumsq');
  e.release(partials);
  return out;
}

/** Differentiable Σ x → [1]. */
export function sum(tape: Tape, x: Tensor): Tensor {
  const out = sumForward(tape.engine, x);
  tape.record([x], [out], ([g]) => [g ? sumBackward(tape.engine, g, x) : null]);
  return out;
}

/** Differentiable mean(x) → [1]. */
export function mean(tape: Tape, x: Tensor): Tensor {
  const scale = 1 / x.size;
  const out = sumForward(tape.engine, x, scale);
  tape.record([x], [out], ([g]) => [g ? sumBackward(tape.engine, g, x, scale) : null]);
  return out;
}
