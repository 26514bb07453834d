import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine';
import type { Tensor } from '../../src/engine/tensor';
import type { GpuEngine } from '../../src/gpu/engine';
import { addInto, copy } from '../../src/ops/elementwise';
import {
  Adam,
  adamAtan2Step,
  adamWStep,
  cosineWarmupLr,
  decayTable,
  Ema,
  emaUpdate,
  signSgdStep,
  SparseSignSgd,
  type AdamBuffers,
  type AdamOptions,
  type DecaySegment,
} from '../../src/ops/optim';
import { gradNorm } from '../../src/ops/reduce';
import { both, cpu, gpuEngine, parity, randint, randn } from '../helpers/engines';

const SIZES = [1, 3, 17, 65, 1000, 70_001];
const BETA1 = 0.9, BETA2 = 0.95;

// Tolerances (normwise relative, f32 GPU against float64 CPU, after 5 steps):
// - m, v: a few f32 roundings per step on O(1) values → 1e-6.
// - params: O(1) values moved by ~lr·O(1) per step; f32 rounding of p (6e-8 per step) plus WGSL's atan2, which
//   the spec bounds only loosely (4096 ULP of the update ≈ 2.4e-4·lr) → 2e-6 at lr = 1e-2.
// - ema, sign-SGD: one or two roundings per element → 1e-6 (sign-SGD sums duplicates in f32; signs agree).
const TOL_MOMENT = 1e-6;
const TOL_PARAM = 2e-6;
const TOL_EXACT = 1e-6;

const lrAt = (t: number) => cosineWarmupLr(t, { baseLr: 1e-2, warmupSteps: 3, totalSteps: 10, minRatio: 0.1 });

function segments(n: number): DecaySegment[] {
  return n >= 3 ? [{ start: Math.floor(n / 3), scale: 0 }, { start: Math.floor((2 * n) / 3), scale: 0.5 }] : [];
}

type Kind = 'atan2-outer' | 'atan2-inner' | 'adamw';
const KINDS: Kind[] = ['atan2-outer', 'atan2-inner', 'adamw'];

function stepKind(e: Engine, kind: Kind, b: AdamBuffers, t: number, gradScale = 0.5): void {
  const h = { lr: lrAt(t), t, beta1: BETA1, beta2: BETA2, weightDecay: 0.1, gradScale };
  if (kind === 'adamw') adamWStep(e, b, { ...h, eps: 1e-8 });
  else adamAtan2Step(e, b, { ...h, form: kind === 'atan2-outer' ? 'outer' : 'inner' });
}

/** Buffers on both engines with identical contents; gradients change per step and element 0 stays 0. */
function adamPair(e: Engine, n: number, seed: number): [AdamBuffers, AdamBuffers] {
  const [cp, gp] = both(e, randn(n, seed), [n]);
  const [cg, gg] = both(e, new Float64Array(n), [n]);
  return [
    { params: cp, grads: cg, m: cpu.zeros([n]), v: cpu.zeros([n]), decay: decayTable(cpu, n, segments(n)) },
    { params: gp, grads: gg, m: e.zeros([n]), v: e.zeros([n]), decay: decayTable(e, n, segments(n)) },
  ];
}

function setGrads(e: Engine, c: AdamBuffers, g: AdamBuffers, n: number, t: number): void {
  const d = randn(n, 1000 + t, 2);
  if (n >= 3) d[0] = 0; // m = v = 0 there: atan2(0, 0) must give 0, not NaN
  const r = Float64Array.from(Float32Array.from(d));
  c.grads.f64.set(r);
  (e as GpuEngine).write(g.grads, r);
}

describe('optim: reference formulas', () => {
  it('the CPU twin equals the AdamATan2 formulas of trm-spec §5.1, adam-atan2-pytorch and torch AdamW, written out', () => {
    const n = 6, p0 = randn(n, 1), grads = [randn(n, 2), randn(n, 3), randn(n, 4)];
    const segs = [{ start: 2, scale: 0 }, { start: 4, scale: 0.5 }];
    const scaleAt = (i: number) => (i < 2 ? 1 : i < 4 ? 0 : 0.5);
    const A = 1.27, Bc = 1.5; // adam-atan2-pytorch's a (default 1.27) and b (default 1; 1.5 to exercise it)
    for (const kind of [...KINDS, 'atan2-ab'] as const) {
      const b: AdamBuffers = { params: cpu.fromArray(p0, [n]), grads: cpu.zeros([n]), m: cpu.zeros([n]), v: cpu.zeros([n]), decay: decayTable(cpu, n, segs) };
      const ref = Array.from(p0), m = new Array(n).fill(0), v = new Array(n).fill(0);
      grads.forEach((g, k) => {
        const t = k + 1, lr = lrAt(t), wd = 0.1, c1 = 1 - BETA1 ** t, c2 = 1 - BETA2 ** t;
        b.grads.f64.set(g);
        const h = { lr, t, beta1: BETA1, beta2: BETA2, weightDecay: wd };
        if (kind === 'atan2-ab') adamAtan2Step(cpu, b, { ...h, form: 'inner', a: A, b: Bc });
        else stepKind(cpu, kind, b, t, 1);
        for (let i = 0; i < n; i++) {
          ref[i] *= 1 - lr * wd * scaleAt(i);
          m[i] = BETA1 * m[i] + (1 - BETA1) * g[i];
          v[i] = BETA2 * v[i] + (1 - BETA2) * g[i] * g[i];
          if (kind === 'atan2-outer') ref[i] -= (lr / c1) * Math.atan2(m[i], Math.sqrt(v[i]) / Math.sqrt(c2));
          else if (kind === 'atan2-inner') ref[i] -= lr * Math.atan2(m[i] / c1, Math.sqrt(v[i]) / Math.sqrt(c2));
          else if (kind === 'atan2-ab') ref[i] -= lr * A * Math.atan2(m[i] / c1, Bc * Math.sqrt(v[i] / c2));
          else ref[i] -= (lr / c1) * m[i] / (Math.sqrt(v[i]) / Math.sqrt(c2) + 1e-8);
        }
      });
      for (let i = 0; i < n; i++) expect(b.params.f64[i]).toBeCloseTo(ref[i], 14);
      for (let i = 0; i < n; i++) expect(b.v.f64[i]).toBeCloseTo(v[i], 14);
    }
  });

  it('sign-SGD twin equals w[id]·(1 − lr·wd) − lr·sign(Σ grads of id), other rows untouched', () => {
    const P = 6, E = 3, ids = [4, 1, 4, 4, 0];
    const w0 = randn(P * E, 5), g = randn(ids.length * E, 6);
    const table = cpu.fromArray(w0, [P, E]);
    signSgdStep(cpu, table, cpu.fromArray(g, [ids.length, E]), cpu.fromArray(ids, [ids.length], 'i32'), 0.1, 0.5);
    for (let r = 0; r < P; r++) {
      for (let c = 0; c < E; c++) {
        let s = 0;
        ids.forEach((id, k) => id === r && (s += g[k * E + c]));
        const expected = ids.includes(r) ? w0[r * E + c] * (1 - 0.1 * 0.5) - 0.1 * Math.sign(s) : w0[r * E + c];
        expect(table.f64[r * E + c]).toBeCloseTo(expected, 15);
      }
    }
    const before = table.f64.slice();
    signSgdStep(cpu, table, cpu.fromArray(g.subarray(0, 2 * E), [2, E]), cpu.fromArray([6, -1], [2], 'i32'), 0.1, 0.5);
    expect(table.f64).toEqual(before);
  });

  it('schedule, decay table and step validation', () => {
    const o = { baseLr: 1, warmupSteps: 4, totalSteps: 12 };
    expect([0, 1, 4].map((t) => cosineWarmupLr(t, o))).toEqual([0, 0.25, 1]);
    expect(cosineWarmupLr(8, o)).toBeCloseTo(0.5, 15);
    expect(cosineWarmupLr(12, o)).toBeCloseTo(0, 15);
    expect(cosineWarmupLr(100, { ...o, minRatio: 1 })).toBe(1);
    expect(Array.from(decayTable(cpu, 10, [{ start: 4, scale: 0 }]).cpu)).toEqual([0, 4, 0x3f800000, 0]);
    expect(() => decayTable(cpu, 10, [{ start: 4, scale: 0 }, { start: 4, scale: 1 }])).toThrow();
    expect(() => decayTable(cpu, 10, [{ start: 11, scale: 0 }])).toThrow();
    const b: AdamBuffers = { params: cpu.zeros([2]), grads: cpu.zeros([2]), m: cpu.zeros([2]), v: cpu.zeros([2]), decay: decayTable(cpu, 2) };
    expect(() => adamAtan2Step(cpu, b, { lr: 1, t: 0, beta1: 0.9, beta2: 0.95, weightDecay: 0 })).toThrow();
  });
});

describe('optim: GPU parity', () => {
  it.each(SIZES)(`AdamATan2 (both forms) and AdamW, t = 1..5 with decay segments, n=%i (tol p ${TOL_PARAM}, m/v ${TOL_MOMENT})`, async (n) => {
    const e = await gpuEngine();
    for (const kind of KINDS) {
      const [c, g] = adamPair(e, n, n);
      for (let t = 1; t <= 5; t++) {
        setGrads(e, c, g, n, t);
        stepKind(cpu, kind, c, t);
        stepKind(e, kind, g, t);
      }
      const kernel = kind === 'adamw' ? 'optim.adamw' : 'optim.adam_atan2';
      await parity(kernel, `${kind} n=${n} params`, g.params, c.params, TOL_PARAM);
      await parity(kernel, `${kind} n=${n} m`, g.m, c.m, TOL_MOMENT);
      await parity(kernel, `${kind} n=${n} v`, g.v, c.v, TOL_MOMENT);
      if (n >= 3) {
        // Element 0 never saw a gradient: only decoupled decay moved it, and nothing became NaN.
        const p = await e.read(g.params);
        expect(p.every(Number.isFinite)).toBe(true);
      }
    }
  });

  it.each(SIZES)(`EMA, n=%i (tol ${TOL_EXACT})`, async (n) => {
    const e = await gpuEngine();
    const [ce, ge] = both(e, randn(n, 1), [n]);
    for (let k = 0; k < 3; k++) {
      const [cp, gp] = both(e, randn(n, 10 + k), [n]);
      emaUpdate(cpu, ce, cp, 0.999);
      emaUpdate(e, ge, gp, 0.999);
    }
    await parity('optim.ema', `n=${n}`, ge, ce, TOL_EXACT);
  });

  it.each([
    { P: 11, E: 17, ids: [3, 7, 3, 0, 10, 7, 3, 5, 0] },
    { P: 1, E: 1, ids: [0] },
    { P: 50, E: 65, ids: Array.from(randint(70, 0, 40, 3)) },
  ])(`sparse sign-SGD P=$P E=$E B=$ids.length (tol ${TOL_EXACT})`, async ({ P, E, ids }) => {
    const e = await gpuEngine();
    const B = ids.length;
    const g = randn(B * E, 2);
    // The samples of one repeated id get column-0 gradients a, −a, 0, …: the sum is exactly 0 in any order,
    // so sign 0 and that element only decays.
    const dup = ids.find((id, k) => ids.indexOf(id) !== k);
    if (dup !== undefined) ids.forEach((id, k) => id === dup && (g[k * E] = k === ids.indexOf(dup) ? 0.75 : k === ids.lastIndexOf(dup) ? -0.75 : 0));
    const [ct, gt] = both(e, randn(P * E, 1), [P, E]);
    const before = await e.read(gt);
    const [cg, gg] = both(e, g, [B, E]);
    const [cids, gids] = both(e, ids, [B], 'i32');
    signSgdStep(cpu, ct, cg, cids, 0.01, 0.1);
    signSgdStep(e, gt, gg, gids, 0.01, 0.1);
    await parity('optim.sign_sgd', `P=${P} E=${E} B=${B}`, gt, ct, TOL_EXACT);
    const after = await e.read(gt);
    for (let r = 0; r < P; r++) {
      const row = (a: ArrayLike<number>) => Array.from(a).slice(r * E, (r + 1) * E);
      if (!ids.includes(r)) expect(row(after)).toEqual(row(before));
    }
    if (dup !== undefined) expect(Math.abs(after[dup * E] - before[dup * E] * (1 - 0.01 * 0.1))).toBeLessThan(1e-6 * Math.abs(before[dup * E]) + 1e-12);
  });
});

describe('optim: skip on non-finite gradients', () => {
  it('a NaN or Inf in the gradient leaves params and moments untouched (AdamATan2, AdamW, sign-SGD)', async () => {
    const e = await gpuEngine();
    const n = 65;
    for (const kind of KINDS) {
      const [c, g] = adamPair(e, n, 4);
      for (let t = 1; t <= 2; t++) {
        setGrads(e, c, g, n, t);
        stepKind(e, kind, g, t);
        stepKind(cpu, kind, c, t);
      }
      const snap = await Promise.all([g.params, g.m, g.v].map((x) => e.read(x)));
      for (const bad of [NaN, Infinity]) {
        const d = randn(n, 9);
        d[17] = bad;
        e.write(g.grads, d);
        const status = gradNorm(e, g.grads);
        stepKind(e, kind, { ...g, status }, 3);
        const now = await Promise.all([g.params, g.m, g.v].map((x) => e.read(x)));
        now.forEach((x, k) => expect(Array.from(x)).toEqual(Array.from(snap[k])));
        expect((await e.read(status))[1]).toBe(1);
      }
      // A finite gradient with the guard on updates exactly as without it.
      setGrads(e, c, g, n, 3);
      stepKind(e, kind, { ...g, status: gradNorm(e, g.grads) }, 3);
      stepKind(cpu, kind, { ...c, status: gradNorm(cpu, c.grads) }, 3);
      const kernel = kind === 'adamw' ? 'optim.adamw' : 'optim.adam_atan2';
      await parity(kernel, `${kind} guarded finite step`, g.params, c.params, TOL_PARAM);
      await parity(kernel, `${kind} guarded finite step v`, g.v, c.v, TOL_MOMENT);
    }
    const [, gt] = both(e, randn(12, 1), [4, 3]);
    const before = await e.read(gt);
    const gg = e.fromArray([1, 2, 3, NaN, 5, 6], [2, 3]);
    signSgdStep(e, gt, gg, e.fromArray([1, 2], [2], 'i32'), 0.1, 0.1, gradNorm(e, gg));
    expect(Array.from(await e.read(gt))).toEqual(Array.from(before));
  });
});

describe('optim: end to end on a quadratic', () => {
  // L(p) = ½‖p − target‖², ∇L = p − target, computed on each engine with elementwise ops; the loss is ½‖∇L‖²
  // from gradNorm. 50 steps; the GPU run (params, EMA, final loss) must match the CPU twin run (tol 2e-5: 50 steps
  // of f32 rounding on O(1) params, ~50·TOL_PARAM/5) and the loss must fall by at least 10× (seen: 23–73×).
  const n = 257, STEPS = 50, TOL_RUN = 2e-5;
  const cases: { name: string; kernel: string; opts: AdamOptions; lr: number }[] = [
    { name: 'AdamATan2 outer', kernel: 'optim.adam_atan2', opts: {}, lr: 0.05 },
    { name: 'AdamATan2 inner', kernel: 'optim.adam_atan2', opts: { form: 'inner' }, lr: 0.05 },
    { name: 'AdamW', kernel: 'optim.adamw', opts: { kind: 'adamw', weightDecay: 0.01 }, lr: 0.05 },
  ];

  async function run(e: Engine, opts: AdamOptions, lr: number): Promise<{ losses: number[]; params: Tensor; ema: Tensor; created: number[] }> {
    const params = e.keep(e.fromArray(Float32Array.from(randn(n, 1)), [n]));
    const target = e.keep(e.fromArray(Float32Array.from(randn(n, 2, 0.5)), [n]));
    const opt = new Adam(e, n, { weightDecay: 0.01, decaySegments: [{ start: 128, scale: 0 }], ...opts });
    const ema = new Ema(e, params, 0.9);
    const losses: number[] = [];
    const created: number[] = [];
    for (let s = 0; s < STEPS; s++) {
      const norm = e.scope(() => {
        const grad = copy(e, params);
        addInto(e, grad, target, -1);
        const status = gradNorm(e, grad);
        opt.step(params, grad, cosineWarmupLr(s + 1, { baseLr: lr, warmupSteps: 5, totalSteps: STEPS, minRatio: 1 }), { status });
        ema.update(params);
        return status;
      });
      if (s === 0 || s === STEPS - 1) losses.push(0.5 * (await e.read(norm))[0] ** 2);
      e.release(norm);
      created.push(e.stats().buffersCreated);
    }
    const g = e.scope(() => {
      const grad = copy(e, params);
      addInto(e, grad, target, -1);
      return gradNorm(e, grad);
    });
    losses.push(0.5 * (await e.read(g))[0] ** 2);
    return { losses, params, ema: ema.shadow, created };
  }

  it.each(cases)('$name: loss falls over 50 steps and the GPU run equals the CPU run', async ({ name, kernel, opts, lr }) => {
    const e = await gpuEngine();
    const [g, c] = [await run(e, opts, lr), await run(cpu, opts, lr)];
    expect(g.losses[2]).toBeLessThan(g.losses[0] / 10);
    expect(c.losses[2]).toBeLessThan(c.losses[0] / 10);
    expect(Math.abs(g.losses[2] - c.losses[2]) / c.losses[2]).toBeLessThan(TOL_RUN);
    await parity(kernel, `${name} quadratic ${STEPS} steps`, g.params, c.params, TOL_RUN);
    await parity('optim.ema', `${name} quadratic ${STEPS} steps`, g.ema, c.ema, TOL_RUN);
    // No GPU buffer is created after the first step: m, v and the decay table are allocated once.
    expect(g.created[STEPS - 1]).toBe(g.created[1]);
  });

  it('sparse sign-SGD: loss over the used rows falls and the GPU run equals the CPU run', async () => {
    const e = await gpuEngine();
    const P = 13, E = 9, B = 7;
    const target = randn(P * E, 3, 0.3);
    const results = await Promise.all([e, cpu].map(async (eng) => {
      const table = eng.fromArray(Float32Array.from(randn(P * E, 4)), [P, E]);
      const opt = new SparseSignSgd(eng, 0.01);
      const loss = async () => {
        const w = await eng.read(table);
        return Array.from(w).reduce((s, x, i) => s + 0.5 * (x - target[i]) ** 2, 0);
      };
      const l0 = await loss();
      for (let s = 0; s < STEPS; s++) {
        const ids = Array.from(randint(B, 0, P, 100 + s));
        const w = await eng.read(table);
        const grads = new Float64Array(B * E);
        ids.forEach((id, k) => {
          for (let c = 0; c < E; c++) grads[k * E + c] = w[id * E + c] - target[id * E + c];
        });
        const gt = eng.fromArray(Float32Array.from(grads), [B, E]);
        const idt = eng.fromArray(ids, [B], 'i32');
        opt.step(table, gt, idt, cosineWarmupLr(s + 1, { baseLr: 0.1, warmupSteps: 5, totalSteps: STEPS, minRatio: 1 }));
        eng.release(gt);
        eng.release(idt);
      }
      return { table, l0, l1: await loss() };
    }));
    const [g, c] = results;
    expect(g.l1).toBeLessThan(g.l0 / 10);
    expect(Math.abs(g.l1 - c.l1) / c.l1).toBeLessThan(TOL_RUN);
    await parity('optim.sign_sgd', `quadratic ${STEPS} steps`, g.table, c.table, TOL_RUN);
  });
});
