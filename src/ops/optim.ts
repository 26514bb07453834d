import type { Engine } from '../engine/engine';
import { assertShape, type Tensor } from '../engine/tensor';
import type { GpuEngine } from '../gpu/engine';
import { f32, type Param } from '../gpu/params';

const WG = 256;

/** optim.wgsl's Params, in declaration order; every entry point binds the whole struct. */
interface OptimParams {
  n: number;
  nseg?: number;
  guard?: boolean;
  width?: number;
  rows?: number;
  lr?: number;
  wd?: number;
  beta1?: number;
  beta2?: number;
  step?: number;
  mscale?: number;
  dscale?: number;
  eps?: number;
  gscale?: number;
}

function pack(o: OptimParams): Param[] {
  return [o.n, o.nseg ?? 0, o.guard ? 1 : 0, o.width ?? 0, o.rows ?? 0, ...[o.lr, o.wd, o.beta1, o.beta2, o.step, o.mscale, o.dscale, o.eps, o.gscale].map((x) => f32(x ?? 0))];
}

/**
 * Where AdamATan2 applies the first-moment bias correction c1 = 1 − β1^t (c2 = 1 − β2^t):
 * - 'outer' (default): p ← p − (lr/c1)·atan2(m, √v/√c2). The kernel as trm-spec §5.1 quotes it, and the
 *   `adam_atan2` CUDA kernel at the revision whose test reads `step_size = lr / (1 - beta1 ** t)`.
 * - 'inner': p ← p − lr·atan2(m/c1, √v/√c2). A later revision of that kernel and the Adam-atan2 paper
 *   (Everett et al. 2024, arXiv 2407.05872); bounded by lr·π/2 per element, where 'outer' is bounded by lr·π/(2·c1).
 * Both are the same WGSL entry point with different host-side scalars.
 */
export type Atan2Form = 'outer' | 'inner';

/** Scalars of one Adam-family step. t is the 1-based step count; lr is already scheduled. */
export interface AdamHyper {
  lr: number;
  t: number;
  beta1: number;
  beta2: number;
  /** Decoupled: p ← p·(1 − lr·weightDecay·segment scale) before the moment update. */
  weightDecay: number;
  /** Multiplies the raw gradient (e.g. 1 / batch); default 1. */
  gradScale?: number;
}

export interface AdamATan2Hyper extends AdamHyper {
  form?: Atan2Form;
  /**
   * Update a·step·atan2(·, b·√v̂); the reference kernel has a = b = 1. With form 'inner', a = 1.27 and b = 1 this
   * is lucidrains' adam-atan2-pytorch update (whose weight decay is lr/lr₀·wd, not lr·wd: scale weightDecay).
   */
  a?: number;
  b?: number;
}

export interface AdamWHyper extends AdamHyper {
  /** Added to √v̂ as in torch.optim.AdamW; default 1e-8. */
  eps?: number;
}

/** The buffers of one Adam-family update: all flat and of one size except `decay` and `status`. */
export interface AdamBuffers {
  params: Tensor;
  grads: Tensor;
  m: Tensor;
  v: Tensor;
  /** Weight-decay segment table from `decayTable`. */
  decay: Tensor;
  /** gradNorm's output: when given, a step whose gradient holds an Inf or NaN leaves params, m and v untouched. */
  status?: Tensor;
}

/** From `start` (an element index) up to the next segment's start, weight decay is multiplied by `scale`. */
export interface DecaySegment {
  start: number;
  scale: number;
}

const bits = new DataView(new ArrayBuffer(4));

function f32Bits(x: number): number {
  bits.setFloat32(0, x, true);
  return bits.getUint32(0, true);
}

function bitsF32(u: number): number {
  bits.setUint32(0, u, true);
  return bits.getFloat32(0, true);
}

/**
 * Per-element weight-decay scales for a flat arena of n elements as a u32 table [2S]: S segment starts, then
 * their scales as f32 bits. Elements before the first segment get scale 1; no segments = decay everywhere.
 * Parameter groups with no decay (or another decay) are segments of scale 0 (or the ratio to the base decay).
 */
export function decayTable(e: Engine, n: number, segments: readonly DecaySegment[] = []): Tensor {
  const segs = segments[0]?.start === 0 ? [...segments] : [{ start: 0, scale: 1 }, ...segments];
  segs.forEach((s, i) => {
    if (!Number.isInteger(s.start) || s.start < 0 || s.start > n) throw new Error(`decay segment start ${s.start} outside [0, ${n}]`);
    if (i > 0 && s.start <= segs[i - 1].start) throw new Error('decay segment starts must increase');
    if (!Number.isFinite(s.scale) || s.scale < 0) throw new Error(`decay segment scale ${s.scale} must be finite and ≥ 0`);
  });
  const data = [...segs.map((s) => s.start), ...segs.map((s) => f32Bits(s.scale))];
  return e.fromArray(data, [data.length], 'u32');
}

interface AdamScalars {
  step: number;
  mscale: number;
  dscale: number;
  eps: number;
}

function checkHyper(h: AdamHyper): void {
  if (!Number.isInteger(h.t) || h.t < 1) throw new Error(`optimizer step t must be an integer ≥ 1, got ${h.t}`);
}

function launchAdam(e: Engine, entry: 'adam_atan2' | 'adamw', b: AdamBuffers, h: AdamHyper, s: AdamScalars): void {
  const n = b.params.size;
  for (const t of [b.grads, b.m, b.v]) if (t.size !== n) throw new Error(`optim.${entry}: ${t} differs in size from ${b.params}`);
  const gscale = h.gradScale ?? 1;
  const nseg = b.decay.size / 2;
  if (e.kind === 'gpu') {
    const ge = e as GpuEngine;
    const params = pack({ n, nseg, guard: !!b.status, lr: h.lr, wd: h.weightDecay, beta1: h.beta1, beta2: h.beta2, ...s, gscale });
    // Without a status tensor the guard is off and binding 6 is never read, but it must be bound: the
    // gradient (already bound read-only) stands in, so no dummy buffer is needed.
    ge.run({ shader: 'optim', entry, params, buffers: [b.params, b.grads, b.m, b.v, b.decay, b.status ?? b.grads], workgroups: ge.grid(n, WG) });
    return;
  }
  if (b.status && b.status.f64[1] !== 0) return;
  const p = b.params.f64, g = b.grads.f64, m = b.m.f64, v = b.v.f64, table = b.decay.cpu;
  let seg = 0;
  for (let i = 0; i < n; i++) {
    while (seg + 1 < nseg && table[seg + 1] <= i) seg++;
    const gi = gscale * g[i];
    const wi = p[i] * (1 - h.lr * h.weightDecay * bitsF32(table[nseg + seg]));
    m[i] = h.beta1 * m[i] + (1 - h.beta1) * gi;
    v[i] = h.beta2 * v[i] + (1 - h.beta2) * gi * gi;
    const num = s.mscale * m[i], den = Math.sqrt(v[i]) * s.dscale;
    const u = entry === 'adamw' ? num / (den + s.eps) : num === 0 ? 0 : Math.atan2(num, den);
    p[i] = wi - s.step * u;
  }
}

/**
 * AdamATan2 in one dispatch over a flat arena, in place on params, m and v:
 * p ← p·(1 − lr·wd·scale); m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; then the atan2 update of `form`.
 * No ε: atan2 is bounded and finite at v = 0 (atan2(0, 0) is taken as 0, as torch does).
 */
export function adamAtan2Step(e: Engine, b: AdamBuffers, h: AdamATan2Hyper): void {
  checkHyper(h);
  const c1 = 1 - h.beta1 ** h.t, c2 = 1 - h.beta2 ** h.t;
  const a = h.a ?? 1, bb = h.b ?? 1;
  const inner = (h.form ?? 'outer') === 'inner';
  launchAdam(e, 'adam_atan2', b, h, { step: (a * h.lr) / (inner ? 1 : c1), mscale: inner ? 1 / c1 : 1, dscale: bb / Math.sqrt(c2), eps: 0 });
}

/** AdamW (torch.optim.AdamW, decoupled weight decay, bias-corrected) in one dispatch, in place. */
export function adamWStep(e: Engine, b: AdamBuffers, h: AdamWHyper): void {
  checkHyper(h);
  const c1 = 1 - h.beta1 ** h.t, c2 = 1 - h.beta2 ** h.t;
  launchAdam(e, 'adamw', b, h, { step: h.lr / c1, mscale: 1, dscale: 1 / Math.sqrt(c2), eps: h.eps ?? 1e-8 });
}

/** ema ← decay·ema + (1 − decay)·params, in place, one dispatch. */
export function emaUpdate(e: Engine, ema: Tensor, params: Tensor, decay: number): void {
  if (ema.size !== params.size) throw new Error(`emaUpdate: ${ema} and ${params} differ in size`);
  const n = ema.size;
  if (e.kind === 'gpu') {
    const ge = e as GpuEngine;
    ge.run({ shader: 'optim', entry: 'ema', params: pack({ n, beta1: decay }), buffers: [ema, params], workgroups: ge.grid(n, WG) });
  } else {
    const w = ema.f64, p = params.f64;
    for (let i = 0; i < n; i++) w[i] = decay * w[i] + (1 - decay) * p[i];
  }
}

/**
 * Sign-SGD with decoupled weight decay on the rows of table [P, E] a batch used (one dispatch):
 * w[id] ← w[id]·(1 − lr·wd) − lr·sign(Σ_{samples s with ids[s] = id} grads[s]). Other rows are untouched;
 * duplicates are summed in sample order. `ids` is i32 [B] (ids outside [0, P) are skipped). With `status`
 * (gradNorm's output) nothing changes when that gradient held an Inf or NaN.
 */
export function signSgdStep(e: Engine, table: Tensor, grads: Tensor, ids: Tensor, lr: number, weightDecay: number, status?: Tensor): void {
  if (table.rank !== 2) throw new Error(`signSgdStep: table ${table} must be [P, E]`);
  const [P, E] = table.shape;
  if (grads.rank !== 2 || grads.dim(1) !== E) throw new Error(`signSgdStep: grads ${grads} must be [B, ${E}]`);
  const B = grads.dim(0);
  if (ids.dtype !== 'i32' || ids.size !== B) throw new Error(`signSgdStep: ids ${ids} must be i32 [${B}]`);
  const n = B * E;
  if (e.kind === 'gpu') {
    const ge = e as GpuEngine;
    const params = pack({ n, guard: !!status, width: E, rows: P, lr, wd: weightDecay });
    // As in launchAdam: with the guard off, the gradient stands in for the unread status binding.
    ge.run({ shader: 'optim', entry: 'sign_sgd', params, buffers: [table, grads, null, null, ids, status ?? grads], workgroups: ge.grid(n, WG) });
    return;
  }
  if (status && status.f64[1] !== 0) return;
  const w = table.f64, g = grads.f64, id = ids.cpu;
  const done = new Set<number>();
  for (let b = 0; b < B; b++) {
    const r = id[b];
    if (r < 0 || r >= P || done.has(r)) continue;
    done.add(r);
    for (let c = 0; c < E; c++) {
      let s = 0;
      for (let k = b; k < B; k++) if (id[k] === r) s += g[k * E + c];
      w[r * E + c] = w[r * E + c] * (1 - lr * weightDecay) - lr * Math.sign(s);
    }
  }
}

/**
 * HRM/TRM `cosine_schedule_with_warmup_lr_lambda`: linear warmup from 0 over warmupSteps, then cosine from
 * baseLr to minRatio·baseLr. TRM calls it with the 1-based step t (and minRatio 1: constant after warmup).
 */
export function cosineWarmupLr(step: number, o: { baseLr: number; warmupSteps: number; totalSteps: number; minRatio?: number; cycles?: number }): number {
  const minRatio = o.minRatio ?? 0, cycles = o.cycles ?? 0.5;
  if (step < o.warmupSteps) return (o.baseLr * step) / Math.max(1, o.warmupSteps);
  const progress = (step - o.warmupSteps) / Math.max(1, o.totalSteps - o.warmupSteps);
  return o.baseLr * (minRatio + Math.max(0, (1 - minRatio) * 0.5 * (1 + Math.cos(Math.PI * cycles * 2 * progress))));
}

export interface AdamOptions {
  /** 'adam-atan2' (the reference TRM optimizer, default) or 'adamw' (the paper's wording). */
  kind?: 'adam-atan2' | 'adamw';
  beta1?: number;
  beta2?: number;
  weightDecay?: number;
  /** AdamW only. */
  eps?: number;
  /** AdamATan2 only. */
  form?: Atan2Form;
  a?: number;
  b?: number;
  /** Parameter groups as weight-decay scales per arena range (see decayTable). */
  decaySegments?: readonly DecaySegment[];
}

/**
 * An Adam-family optimizer over one flat parameter arena: m, v and the decay table are allocated once, each
 * step is one dispatch. Defaults follow TRM: β = (0.9, 0.95), weight decay 0.1.
 * A step skipped on the GPU for a non-finite gradient still advances t (the CPU does not read the flag back).
 */
export class Adam {
  readonly m: Tensor;
  readonly v: Tensor;
  readonly decay: Tensor;
  /** Steps taken; the next step uses t + 1. */
  t = 0;

  constructor(
    readonly engine: Engine,
    readonly size: number,
    readonly options: AdamOptions = {},
  ) {
    this.m = engine.keep(engine.zeros([size]));
    this.v = engine.keep(engine.zeros([size]));
    this.decay = engine.keep(decayTable(engine, size, options.decaySegments));
  }

  /** One update of params from grads at learning rate lr (already scheduled). */
  step(params: Tensor, grads: Tensor, lr: number, opts: { gradScale?: number; status?: Tensor } = {}): void {
    assertShape(params, [this.size], 'Adam.step params');
    const o = this.options;
    const h = { lr, t: ++this.t, beta1: o.beta1 ?? 0.9, beta2: o.beta2 ?? 0.95, weightDecay: o.weightDecay ?? 0.1, gradScale: opts.gradScale };
    const b = { params, grads, m: this.m, v: this.v, decay: this.decay, status: opts.status };
    if ((o.kind ?? 'adam-atan2') === 'adamw') adamWStep(this.engine, b, { ...h, eps: o.eps });
    else adamAtan2Step(this.engine, b, { ...h, form: o.form, a: o.a, b: o.b });
  }

  release(): void {
    for (const t of [this.m, this.v, this.decay]) this.engine.release(t);
  }
}

/** An exponential moving average of a parameter arena (TRM: 0.999, updated after every optimizer step). */
export class Ema {
  readonly shadow: Tensor;

  constructor(
    readonly engine: Engine,
    params: Tensor,
    /** Mutable: the UI may change the EMA rate while training runs. */
    public decay = 0.999,
  ) {
    this.shadow = engine.keep(engine.zeros(params.shape));
    emaUpdate(engine, this.shadow, params, 0);
  }

  update(params: Tensor): void {
    emaUpdate(this.engine, this.shadow, params, this.decay);
  }

  release(): void {
    this.engine.release(this.shadow);
  }
}

/** TRM's puzzle-embedding optimizer (CastedSparseEmbeddingSignSGD): sign-SGD on the rows a batch used. */
export class SparseSignSgd {
  constructor(
    readonly engine: Engine,
    readonly weightDecay = 0.1,
  ) {}

  /** table [P, E] ← update from per-sample grads [B, E] of the samples' ids (i32 [B]). */
  step(table: Tensor, grads: Tensor, ids: Tensor, lr: number, status?: Tensor): void {
    signSgdStep(this.engine, table, grads, ids, lr, this.weightDecay, status);
  }
}
