import type { Tape } from '../autograd/tape';
import type { Engine } from '../engine/engine';
import { assertShape, type Tensor } from '../engine/tensor';
import type { GpuEngine } from '../gpu/engine';
import { f32 } from '../gpu/params';

const WG = 256;

function launch(e: GpuEngine, entry: string, n: number, alpha: number, a: Tensor | null, b: Tensor | null, out: Tensor): void {
  e.run({ shader: 'elementwise', entry, params: [n, f32(alpha)], buffers: [a, b, out], workgroups: e.grid(n, WG) });
}

/** out = a + b (same shape). */
export function addForward(e: Engine, a: Tensor, b: Tensor): Tensor {
  assertShape(b, a.shape, 'add');
  const out = e.empty(a.shape);
  if (e.kind === 'gpu') launch(e as GpuEngine, 'add', a.size, 0, a, b, out);
  else {
    const x = a.f64, y = b.f64, o = out.f64;
    for (let i = 0; i < o.length; i++) o[i] = x[i] + y[i];
  }
  return out;
}

/** acc += alpha · x, in place (gradient accumulation). */
export function addInto(e: Engine, acc: Tensor, x: Tensor, alpha = 1): void {
  if (acc.size !== x.size) throw new Error(`addInto: ${acc} and ${x} differ in size`);
  if (e.kind === 'gpu') launch(e as GpuEngine, 'axpy', x.size, alpha, x, null, acc);
  else {
    const o = acc.f64, s = x.f64;
    for (let i = 0; i < o.length; i++) o[i] += alpha * s[i];
  }
}

/** out = alpha · a. */
export function scaleForward(e: Engine, a: Tensor, alpha: number): Tensor {
  const out = e.empty(a.shape);
  if (e.kind === 'gpu') launch(e as GpuEngine, 'scale', a.size, alpha, a, null, out);
  else {
    const x = a.f64, o = out.f64;
    for (let i = 0; i < o.length; i++) o[i] = alpha * x[i];
  }
  return out;
}

/** dst ← src, in place (same size). */
export function copyInto(e: Engine, dst: Tensor, src: Tensor): void {
  if (dst.size !== src.size) throw new Error(`copyInto: ${dst} and ${src} differ in size`);
  if (e.kind === 'gpu') launch(e as GpuEngine, 'scale', src.size, 1, src, null, dst);
  else dst.f64.set(src.f64);
}

/** A fresh tensor with the same values. */
export function copy(e: Engine, a: Tensor): Tensor {
  return scaleForward(e, a, 1);
}

/** Set every element of `t` to `value`, in place. */
export function fill(e: Engine, t: Tensor, value: number): void {
  if (e.kind === 'gpu') launch(e as GpuEngine, 'fill', t.size, value, null, null, t);
  else t.f64.fill(value);
}

/** Differentiable a + b. */
export function add(tape: Tape, a: Tensor, b: Tensor): Tensor {
  const out = addForward(tape.engine, a, b);
  tape.record([a, b], [out], ([g]) => [g, g]);
  return out;
}

/** Differentiable alpha · a. */
export function scale(tape: Tape, a: Tensor, alpha: number): Tensor {
  const out = scaleForward(tape.engine, a, alpha);
  tape.record([a], [out], ([g]) => [g ? scaleForward(tape.engine, g, alpha) : null]);
  return out;
}

/** Column `col` of x [R, C] as an [R, 1] matrix (e.g. one logit of a two-output head). */
export function columnForward(e: Engine, x: Tensor, col: number): Tensor {
  if (x.rank !== 2 || !Number.isInteger(col) || col < 0 || col >= x.dim(1)) throw new Error(`column: no column ${col} in ${x}`);
  const [R, C] = x.shape;
  const out = e.empty([R, 1]);
  if (e.kind === 'gpu') {
    const g = e as GpuEngine;
    g.run({ shader: 'elementwise', entry: 'column', params: [R, C, col], buffers: [x, null, out], workgroups: g.grid(R, WG) });
  } else {
    for (let r = 0; r < R; r++) out.f64[r] = x.f64[r * C + col];
  }
  return out;
}

/** The gradient of x [R, C] from that of its column `col` (g [R, 1]): g in that column, 0 elsewhere. */
export function columnBackward(e: Engine, g: Tensor, cols: number, col: number): Tensor {
  const R = g.size;
  const out = e.empty([R, cols]);
  if (e.kind === 'gpu') {
    const ge = e as GpuEngine;
    ge.run({ shader: 'elementwise', entry: 'column_grad', params: [R, cols, col], buffers: [g, null, out], workgroups: ge.grid(R * cols, WG) });
  } else {
    out.f64.fill(0);
    for (let r = 0; r < R; r++) out.f64[r * cols + col] = g.f64[r];
  }
  return out;
}

/** Differentiable column `col` of x [R, C] → [R, 1]. */
export function column(tape: Tape, x: Tensor, col: number): Tensor {
  const out = columnForward(tape.engine, x, col);
  tape.record([x], [out], ([g]) => [g ? columnBackward(tape.engine, g, x.dim(1), col) : null]);
  return out;
}
