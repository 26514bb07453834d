import type { Tape } from '../autograd/tape';
import type { Engine } from '../engine/engine';
import { assertShape, type Shape, type Tensor } from '../engine/tensor';
import type { GpuEngine } from '../gpu/engine';
import { f32 } from '../gpu/params';

/**
 * Which axis of a [B, S, D] tensor RMSNorm normalises: 'channel' = each token over its D channels (the usual
 * norm); 'sequence' = each (batch, channel) over the S positions, as TRM's MLP-mixer does after the token mixer
 * (the reference runs RMSNorm on the transposed [B, D, S] tensor; here it runs in place on [B, S, D]).
 */
export type NormAxis = 'channel' | 'sequence';

/** 'serial': one thread per row; 'parallel': a workgroup tree per row; default: serial on software adapters. */
export type NormThreads = 'serial' | 'parallel';

export interface AddRmsNormOptions {
  axis: NormAxis;
  /** Added to mean(x²) before the reciprocal square root; TRM uses 1e-5. */
  eps?: number;
  /** Force a thread mapping (tests cover both); by default chosen per adapter. */
  threads?: NormThreads;
}

export const RMSNORM_EPS = 1e-5;

const WG = 256;

/** Rows to normalise and where their elements lie (see shaders/rmsnorm.wgsl), plus the thread split. */
interface Layout {
  rows: number;
  len: number;
  inner: number;
  outer: number;
  step: number;
  lanes: number;
  laneDiv: number;
  rowDiv: number;
  /** Shape of the per-row rstd. */
  rstdShape: Shape;
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * How rows map to threads. `serial` gives each row one thread (no workgroup exchange), which software adapters
 * run far faster: SwiftShader implements each barrier as a switch between all invocations of the workgroup.
 */
function layout(shape: Shape, axis: NormAxis, what: string, serial = false): Layout {
  const l = parallelLayout(shape, axis, what);
  return serial ? { ...l, lanes: 1, laneDiv: 1, rowDiv: 1 } : l;
}

function serialOn(e: Engine, threads?: NormThreads): boolean {
  return threads ? threads === 'serial' : e.kind === 'gpu' && (e as GpuEngine).softwareKernels;
}

function parallelLayout(shape: Shape, axis: NormAxis, what: string): Layout {
  if (axis === 'channel') {
    if (shape.length < 1) throw new Error(`${what}: channel axis needs a tensor of rank ≥ 1, got a scalar`);
    const d = shape[shape.length - 1];
    if (d === 0) throw new Error(`${what}: cannot normalise an empty channel axis (shape [${shape.join(',')}])`);
    const rstdShape = shape.slice(0, -1);
    const lanes = Math.min(WG, nextPow2(d));
    return { rows: rstdShape.reduce((x, y) => x * y, 1), len: d, inner: 1, outer: d, step: 1, lanes, laneDiv: 1, rowDiv: lanes, rstdShape };
  }
  if (axis !== 'sequence') throw new Error(`${what}: axis must be 'channel' or 'sequence', got '${axis as string}'`);
  if (shape.length !== 3) throw new Error(`${what}: sequence axis needs [B, S, D], got [${shape.join(',')}]`);
  const [b, s, d] = shape;
  if (s === 0) throw new Error(`${what}: cannot normalise an empty sequence axis (shape [${shape.join(',')}])`);
  // Up to 32 neighbouring channels per workgroup so each step along S reads one contiguous 128-byte run.
  const lanes = Math.min(WG / Math.min(32, nextPow2(d)), nextPow2(s));
  return { rows: b * d, len: s, inner: d, outer: s * d, step: d, lanes, laneDiv: WG / lanes, rowDiv: 1, rstdShape: [b, d] };
}

function checkF32(t: Tensor, what: string, name: string): void {
  if (t.dtype !== 'f32') throw new Error(`${what}: ${name} must be f32, got ${t.dtype}`);
}

/** Visit each row's element indices (CPU twins). */
function forEachRow(l: Layout, fn: (row: number, idx: Int32Array) => void): void {
  const idx = new Int32Array(l.len);
  for (let r = 0; r < l.rows; r++) {
    const base = Math.floor(r / l.inner) * l.outer + (r % l.inner);
    for (let k = 0; k < l.len; k++) idx[k] = base + k * l.step;
    fn(r, idx);
  }
}

/**
 * y = x·rstd with x = a + b (b null: x = a) and rstd = (mean(x²) + eps)^-½ over `axis`.
 * a, b: [B, S, D] (the channel axis accepts any rank: it normalises the last dimension).
 * Returns y (same shape) and rstd (channel: a's shape without D; sequence: [B, D]), which backward needs.
 */
export function addRmsNormForward(e: Engine, a: Tensor, b: Tensor | null, opts: AddRmsNormOptions): { y: Tensor; rstd: Tensor } {
  const what = 'addRmsNorm';
  checkF32(a, what, 'a');
  if (b) {
    checkF32(b, what, 'b');
    assertShape(b, a.shape, `${what} (residual b vs a)`);
  }
  const eps = opts.eps ?? RMSNORM_EPS;
  if (!(eps >= 0) || !Number.isFinite(eps)) throw new Error(`${what}: eps must be a finite number ≥ 0, got ${eps}`);
  const l = layout(a.shape, opts.axis, what, serialOn(e, opts.threads));
  const y = e.empty(a.shape);
  const rstd = e.empty(l.rstdShape);
  if (e.kind === 'gpu') {
    const g = e as GpuEngine;
    g.run({
      shader: 'rmsnorm',
      entry: 'forward',
      params: [l.rows, l.len, l.inner, l.outer, l.step, l.lanes, l.laneDiv, l.rowDiv, b ? 1 : 0, f32(eps)],
      buffers: [a, b ?? a, null, y, rstd],
      workgroups: g.grid(l.rows, WG / l.lanes),
    });
  } else {
    const av = a.f64, bv = b?.f64, yv = y.f64, rv = rstd.f64;
    forEachRow(l, (r, idx) => {
      let ss = 0;
      for (const i of idx) {
        const x = bv ? av[i] + bv[i] : av[i];
        ss += x * x;
      }
      const rs = 1 / Math.sqrt(ss / l.len + eps);
      for (const i of idx) yv[i] = (bv ? av[i] + bv[i] : av[i]) * rs;
      rv[r] = rs;
    });
  }
  return { y, rstd };
}

/**
 * dx = rstd·(dy − y·mean(dy·y)) over `axis`, from the forward's y and rstd. This is the gradient of both a and
 * b; `outputs: 2` writes it into two tensors in the same dispatch (one each for a and b).
 */
export function addRmsNormBackward(e: Engine, dy: Tensor, y: Tensor, rstd: Tensor, axis: NormAxis, outputs: 1 | 2 = 1, threads?: NormThreads): Tensor[] {
  const what = 'addRmsNormBackward';
  checkF32(dy, what, 'dy');
  checkF32(y, what, 'y');
  checkF32(rstd, what, 'rstd');
  assertShape(dy, y.shape, `${what} (dy vs y)`);
  const l = layout(y.shape, axis, what, serialOn(e, threads));
  assertShape(rstd, l.rstdShape, `${what} (rstd)`);
  const dx = Array.from({ length: outputs }, () => e.empty(y.shape));
  if (e.kind === 'gpu') {
    const g = e as GpuEngine;
    g.run({
      shader: 'rmsnorm',
      entry: outputs === 2 ? 'backward_residual' : 'backward',
      params: [l.rows, l.len, l.inner, l.outer, l.step, l.lanes, l.laneDiv, l.rowDiv, 0, f32(0)],
      buffers: [dy, y, rstd, dx[0], dx[1] ?? null],
      workgroups: g.grid(l.rows, WG / l.lanes),
    });
  } else {
    const gv = dy.f64, yv = y.f64, rv = rstd.f64, outs = dx.map((t) => t.f64);
    forEachRow(l, (r, idx) => {
      let dot = 0;
      for (const i of idx) dot += gv[i] * yv[i];
      const m = dot / l.len;
      for (const i of idx) {
        const v = rv[r] * (gv[i] - yv[i] * m);
        for (const o of outs) o[i] = v;
      }
    });
  }
  return dx;
}

/** Differentiable RMSNorm(a + b) without gain (b null: RMSNorm(a)); see addRmsNormForward. */
export function addRmsNorm(tape: Tape, a: Tensor, b: Tensor | null, opts: AddRmsNormOptions): Tensor {
  const e = tape.engine;
  const { y, rstd } = addRmsNormForward(e, a, b, opts);
  const inputs = b ? [a, b] : [a];
  const recorded = tape.record(inputs, [y], ([g]) => {
    if (!g) return inputs.map(() => null);
    if (!b) return addRmsNormBackward(e, g, y, rstd, opts.axis);
    // The tape skips inputs that want no gradient: write the second copy only when both do.
    if (a.requiresGrad && b.requiresGrad) return addRmsNormBackward(e, g, y, rstd, opts.axis, 2);
    const [dx] = addRmsNormBackward(e, g, y, rstd, opts.axis);
    return a.requiresGrad ? [dx, null] : [null, dx];
  });
  if (!recorded) e.release(rstd);
  return y;
}
