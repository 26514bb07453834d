import { describe, expect, it } from 'vitest';
import { Tape } from '../../src/autograd/tape';
import type { Tensor } from '../../src/engine/tensor';
import { IGNORE_LABEL, bceWithLogits, bceWithLogitsForward, crossEntropy, crossEntropyForward, scaleRows, type CrossEntropyKind } from '../../src/ops/losses';
import { both, cpu, gpuEngine, parity, randint, randn, rng } from '../helpers/engines';
import { gradCheck } from '../helpers/gradcheck';

// Tolerances (normwise relative, see relError):
// - cross-entropy loss and gradient: per row ≤ V + 10 f32 roundings (V ≤ 12) plus a ≤ 65-term sequence
//   sum, ≈ 30·2^-24 ≈ 2e-6 worst case; tol 2e-6.
// - BCE: normwise over all q, tol 1e-6; elementwise for |q| ≤ 20, the exp bound expTol(|q|) below.
// - Confident CE rows (tiny loss): elementwise relative, TOL_CE for stablemax (no exp), expTol for softmax.
// - scale_rows: one product; tol 1e-6. Metrics (counts, exact flags): exactly equal, tol 0.
const TOL_CE = 2e-6;
const TOL_BCE = 1e-6;
const TOL_SCALE = 1e-6;
/**
 * Elementwise relative bound for a value computed through exp(a), |a| ≤ absArg: WGSL promises 3 + 2|a| ulp
 * for exp, the f32 rounding of a itself adds |a|/2 ulp, plus 3 ulp for the few operations around it.
 */
const expTol = (absArg: number) => (6 + 2.5 * absArg) * 2 ** -23;
const KINDS: CrossEntropyKind[] = ['stablemax', 'softmax'];

/** Labels in [0, V) with about a quarter ignored; sequence 1 (if any) fully ignored. */
function makeLabels(B: number, L: number, V: number, seed: number): Int32Array {
  const r = rng(seed);
  const y = randint(B * L, 0, V, seed + 1);
  for (let i = 0; i < y.length; i++) if (r() < 0.25 || (B > 1 && Math.floor(i / L) === 1)) y[i] = IGNORE_LABEL;
  return y;
}

/** Logits whose argmax often hits the label (so exact matches occur) and with a few exact ties. */
function makeLogits(B: number, L: number, V: number, labels: Int32Array, seed: number): Float64Array {
  const x = randn(B * L * V, seed, 2);
  const r = rng(seed + 7);
  for (let i = 0; i < B * L; i++) {
    const y = labels[i] >= 0 ? labels[i] : 0;
    if (r() < 0.6) x[i * V + y] += 6;
    if (r() < 0.1) x[i * V + ((y + 1) % V)] = x[i * V + y]; // tie: the first index wins
  }
  return x;
}

function naiveCe(kind: CrossEntropyKind, row: ArrayLike<number>, y: number): number {
  const s = Array.from(row, (x) => (kind === 'softmax' ? Math.exp(x) : x < 0 ? 1 / (1 - x) : x + 1));
  return -Math.log(s[y] / s.reduce((a, b) => a + b, 0));
}

describe('losses: CPU twin and gradients (float64)', () => {
  it.each(KINDS)('%s CE matches the textbook formula, the per-sequence mean and the reference metrics', async (kind) => {
    const B = 3, L = 5, V = 4;
    const y = makeLabels(B, L, V, 1);
    const x = makeLogits(B, L, V, y, 2);
    const r = crossEntropyForward(cpu, cpu.fromArray(x, [B, L, V]), cpu.fromArray(y, [B, L], 'i32'), kind);
    for (let b = 0; b < B; b++) {
      let sum = 0, n = 0, ok = 0;
      for (let t = 0; t < L; t++) {
        const i = b * L + t;
        if (y[i] === IGNORE_LABEL) continue;
        const row = x.subarray(i * V, i * V + V);
        sum += naiveCe(kind, row, y[i]);
        n++;
        if (row.indexOf(Math.max(...row)) === y[i]) ok++;
      }
      expect(r.loss.f64[b]).toBeCloseTo(sum / Math.max(1, n), 12);
      expect(r.valid.cpu[b]).toBe(n);
      expect(r.correct.cpu[b]).toBe(ok);
      expect(r.exact.f64[b]).toBe(ok === n ? 1 : 0);
    }
    // The fully ignored sequence: no loss, no gradient, and exact = 1 (seq_is_correct = 0 == 0).
    expect([r.loss.f64[1], r.valid.cpu[1], r.correct.cpu[1], r.exact.f64[1]]).toEqual([0, 0, 0, 1]);
    expect(r.grad!.f64.subarray(L * V, 2 * L * V).every((v) => v === 0)).toBe(true);
  });

  it('stablemax is not shift invariant and breaks ties toward the first index', () => {
    const y = cpu.fromArray([0], [1, 1], 'i32');
    const a = crossEntropyForward(cpu, cpu.fromArray([1, 0, -1], [1, 1, 3]), y, 'stablemax');
    const b = crossEntropyForward(cpu, cpu.fromArray([11, 10, 9], [1, 1, 3]), y, 'stablemax');
    expect(a.loss.f64[0]).toBeCloseTo(-Math.log(2 / 3.5), 14);
    expect(Math.abs(a.loss.f64[0] - b.loss.f64[0])).toBeGreaterThan(0.1);
    const tie = crossEntropyForward(cpu, cpu.fromArray([2, 2, 2, 0, 5, 5], [1, 2, 3]), cpu.fromArray([1, 1], [1, 2], 'i32'), 'softmax');
    expect([tie.correct.cpu[0], tie.valid.cpu[0], tie.exact.f64[0]]).toEqual([1, 2, 0]);
  });

  it.each(KINDS)('%s CE gradient matches finite differences (ignored positions, a fully ignored sequence)', (kind) => {
    const B = 3, L = 6, V = 5;
    const y = makeLabels(B, L, V, 3);
    const err = gradCheck(
      (t, [x, lab]) => crossEntropy(t, x, lab, { kind }).loss,
      [{ data: makeLogits(B, L, V, y, 4), shape: [B, L, V] }, { data: y, shape: [B, L], dtype: 'i32' }],
      { samples: 90 },
    );
    expect(err).toBeLessThan(1e-6);
  });

  it('BCE-with-logits is exact for large |q| and its gradient matches finite differences', () => {
    const q = [-80, -30, -5, -0.3, 0, 0.4, 7, 30, 80, 80, -80];
    const t = [1, 0, 1, 0.3, 1, 0, 0, 1, 0, 1, 0];
    const { loss, grad } = bceWithLogitsForward(cpu, cpu.fromArray(q, [q.length]), cpu.fromArray(t, [t.length]));
    expect(loss.f64[0]).toBe(80); // log1p(e^-80) is below half an ulp of 80
    expect(loss.f64[8]).toBe(80);
    expect(loss.f64[9]).toBeCloseTo(Math.exp(-80), 45);
    expect(grad.f64[9] / -Math.exp(-80)).toBeCloseTo(1, 12); // σ(80) − 1, not rounded to 0
    expect(grad.f64[0]).toBe(-1);
    expect(loss.f64[4]).toBeCloseTo(Math.LN2, 15);
    const err = gradCheck((tp, [x, tg]) => bceWithLogits(tp, x, tg), [{ data: q, shape: [q.length] }, { data: t, shape: [t.length], grad: false }]);
    expect(err).toBeLessThan(1e-6);
  });

  it('rejects out-of-range labels on the CPU, naming the label', () => {
    const x = cpu.fromArray(randn(6, 1), [1, 2, 3]);
    expect(() => crossEntropyForward(cpu, x, cpu.fromArray([IGNORE_LABEL, 3], [1, 2], 'i32'), 'softmax')).toThrow('label 3 at index 1 is out of range [0, 3)');
  });
});

async function ceParity(e: Awaited<ReturnType<typeof gpuEngine>>, kind: CrossEntropyKind, label: string, cx: Tensor, gx: Tensor, cy: Tensor, gy: Tensor) {
  const before = e.stats().dispatches;
  const g = crossEntropyForward(e, gx, gy, kind);
  expect(e.stats().dispatches - before).toBe(1);
  const c = crossEntropyForward(cpu, cx, cy, kind);
  const k = 'losses.cross_entropy';
  await parity(k, `${label} loss`, g.loss, c.loss, TOL_CE);
  await parity(k, `${label} grad`, g.grad!, c.grad!, TOL_CE);
  await parity(k, `${label} correct`, g.correct, c.correct, 0);
  await parity(k, `${label} valid`, g.valid, c.valid, 0);
  await parity(k, `${label} exact`, g.exact, c.exact, 0);
  return { g, c };
}

describe('losses: GPU matches the CPU twin', () => {
  const cases: [number, number, number][] = [];
  for (const B of [1, 3]) for (const L of [1, 3, 17, 33, 65]) for (const V of [3, 11, 12]) cases.push([B, L, V]);

  it.each(cases)('cross-entropy B=%i L=%i V=%i (both kinds)', async (B, L, V) => {
    const e = await gpuEngine();
    const seed = B * 1000 + L * 10 + V;
    const y = makeLabels(B, L, V, seed);
    const [cy, gy] = both(e, y, [B, L], 'i32');
    const [cx, gx] = both(e, makeLogits(B, L, V, y, seed + 2), [B, L, V]);
    for (const kind of KINDS) await ceParity(e, kind, `${kind} B=${B} L=${L} V=${V}`, cx, gx, cy, gy);
  });

  it.each(KINDS)('%s: confident rows keep their tiny loss and gradient to relative precision', async (kind) => {
    const e = await gpuEngine();
    const L = 17, V = 12;
    for (const margin of [12, 25]) {
      const y = randint(L, 0, V, margin);
      const x = randn(L * V, margin, 0.5);
      // Stablemax only gets confident when the other logits are very negative (s(x) ≈ 1/|x|).
      for (let t = 0; t < L; t++) {
        for (let j = 0; j < V; j++) {
          if (j === y[t]) x[t * V + j] += margin;
          else if (kind === 'stablemax') x[t * V + j] -= 1000 * margin;
        }
      }
      const [cy, gy] = both(e, y, [1, L], 'i32');
      const [cx, gx] = both(e, x, [1, L, V]);
      const { g, c } = await ceParity(e, kind, `${kind} confident margin=${margin}`, cx, gx, cy, gy);
      const [gl, gg] = [await e.read(g.loss), await e.read(g.grad!)];
      expect(c.loss.f64[0]).toBeGreaterThan(0);
      // Softmax's tiny probabilities are exp(x_j − m) with |x_j − m| ≲ margin + 3: f32 exp bounds their precision.
      const tol = kind === 'softmax' ? expTol(margin + 3) : TOL_CE;
      expect(Math.abs(gl[0] - c.loss.f64[0]) / c.loss.f64[0]).toBeLessThan(tol);
      c.grad!.f64.forEach((want, i) => expect(Math.abs(gg[i] - want) / Math.abs(want)).toBeLessThan(tol));
    }
  });

  it('without a gradient the loss and metrics are unchanged', async () => {
    const e = await gpuEngine();
    const B = 3, L = 17, V = 11;
    const y = makeLabels(B, L, V, 5);
    const [, gy] = both(e, y, [B, L], 'i32');
    const [, gx] = both(e, makeLogits(B, L, V, y, 6), [B, L, V]);
    for (const kind of KINDS) {
      const a = crossEntropyForward(e, gx, gy, kind), b = crossEntropyForward(e, gx, gy, kind, false);
      expect(b.grad).toBeNull();
      for (const key of ['loss', 'correct', 'valid', 'exact'] as const) expect(Array.from(await e.read(b[key]))).toEqual(Array.from(await e.read(a[key])));
    }
  });

  it.each([1, 3, 17, 65])('BCE-with-logits n=%i', async (n) => {
    const e = await gpuEngine();
    const q = Array.from({ length: n }, (_, i) => [-80, -30, -5, -0.3, 0, 0.4, 7, 20, 80][i % 9] + 0.01 * i);
    const t = Array.from({ length: n }, (_, i) => [1, 0, 1, 0.3, 1, 0, 0, 1, 1][i % 9]);
    const [cq, gq] = both(e, q, [n]);
    const [ct, gt] = both(e, t, [n]);
    const before = e.stats().dispatches;
    const g = bceWithLogitsForward(e, gq, gt);
    expect(e.stats().dispatches - before).toBe(1);
    const c = bceWithLogitsForward(cpu, cq, ct);
    await parity('losses.bce_with_logits', `n=${n} loss`, g.loss, c.loss, TOL_BCE);
    await parity('losses.bce_with_logits', `n=${n} grad`, g.grad, c.grad, TOL_BCE);
    const [gl, gg] = [await e.read(g.loss), await e.read(g.grad)];
    for (let i = 0; i < n; i++) {
      const a = Math.abs(cq.f64[i]);
      if (a > 20) continue;
      expect(Math.abs(gl[i] - c.loss.f64[i]) / Math.abs(c.loss.f64[i])).toBeLessThan(expTol(a));
      expect(Math.abs(gg[i] - c.grad.f64[i]) / Math.abs(c.grad.f64[i])).toBeLessThan(expTol(a));
    }
  });

  it.each([[1, 1], [3, 1], [3, 17 * 12], [1, 65 * 3]])('scale_rows rows=%i rowLen=%i', async (rows, len) => {
    const e = await gpuEngine();
    const [ca, ga] = both(e, randn(rows * len, len), [rows, len]);
    const [cg, gg] = both(e, randn(rows, rows + 1), [rows]);
    await parity('losses.scale_rows', `rows=${rows} rowLen=${len}`, scaleRows(e, ga, gg), scaleRows(cpu, ca, cg), TOL_SCALE);
  });

  it('backward through the tape on the GPU equals the CPU (CE of both kinds + BCE on the exact flags)', async () => {
    const e = await gpuEngine();
    const B = 3, L = 33, V = 12;
    const y = makeLabels(B, L, V, 9);
    const ys = both(e, y, [B, L], 'i32');
    const xs = both(e, makeLogits(B, L, V, y, 10), [B, L, V]);
    const qs = both(e, [-5, 0.5, 3], [B]);
    const seeds = both(e, [0.7, -1.3, 2], [B]);
    for (const kind of KINDS) {
      const out = [0, 1].map((k) => {
        const tape = new Tape(xs[k].engine);
        tape.watch(xs[k]);
        tape.watch(qs[k]);
        const ce = crossEntropy(tape, xs[k], ys[k], { kind });
        const dx = tape.backward(ce.loss, seeds[k]).get(xs[k])!;
        const bce = bceWithLogits(tape, qs[k], ce.exact);
        const dq = tape.backward(bce, seeds[k]).get(qs[k])!;
        return { dx, dq, bce };
      });
      await parity('losses.scale_rows', `tape ${kind} CE B=${B} L=${L} V=${V}`, out[1].dx, out[0].dx, TOL_CE);
      await parity('losses.scale_rows', `tape BCE B=${B}`, out[1].dq, out[0].dq, TOL_BCE);
      await parity('losses.bce_with_logits', `tape BCE on exact flags (${kind})`, out[1].bce, out[0].bce, TOL_BCE);
    }
  });
});
