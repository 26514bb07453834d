import { describe, expect, it } from 'vitest';
import { Tape } from '../../src/autograd/tape';
import { assertIdsInRange, embedInputs, embedInputsForward, embedPosBackward, embedPuzzleBackward, embedTokensBackward } from '../../src/ops/embedding';
import { both, cpu, gpuEngine, parity, randint, randn, relError } from '../helpers/engines';
import { gradCheck } from '../helpers/gradcheck';

// Tolerances (normwise relative, see relError):
// - forward and puzzle_grad: one f32 product with scale rounded to f32 → ≤ 2 ulp ≈ 2.4e-7; tol 1e-6.
// - token-table gradient: f32 sums of ≤ B·L = 195 terms split into chunk sums (≤ 16 terms) and a chunk
//   reduction (≤ 13 terms); worst-case bound (16 + 13)·2^-24·Σ|terms|/|sum| stays under 1e-5 for these
//   random signs; tol 1e-5.
const TOL_COPY = 1e-6;
const TOL_SUM = 1e-5;

describe('embedding: CPU twin and gradients (float64)', () => {
  it('places the scaled puzzle row (zero-padded to prefixLen·D) before the scaled token rows', () => {
    const tokens = cpu.fromArray([1, 0], [1, 2], 'i32');
    const ids = cpu.fromArray([1], [1], 'i32');
    const table = cpu.fromArray([1, 2, 3, 4], [2, 2]);
    const puzzle = cpu.fromArray([9, 9, 9, 5, 6, 7], [2, 3]);
    const x = embedInputsForward(cpu, tokens, ids, table, puzzle, { prefixLen: 2, scale: 2 });
    expect(x.shape).toEqual([1, 4, 2]);
    expect(Array.from(x.f64)).toEqual([10, 12, 14, 0, 6, 8, 2, 4]);
  });

  it('token and puzzle table gradients match finite differences (prefix 3, D 5, E 7 not a multiple of D)', () => {
    const B = 3, L = 4, V = 3, D = 5, P = 3, E = 7;
    const tokens = { data: randint(B * L, 0, V, 1), shape: [B, L], dtype: 'i32' as const };
    // Identity ids: the per-sample [B, E] gradient then is the table gradient that gradCheck differentiates.
    const ids = { data: [0, 1, 2], shape: [B], dtype: 'i32' as const };
    const err = gradCheck(
      (t, [tok, id, tt, pt]) => embedInputs(t, tok, id, tt, pt, { prefixLen: P, scale: Math.sqrt(D) }),
      [tokens, ids, { data: randn(V * D, 2), shape: [V, D] }, { data: randn(B * E, 3), shape: [B, E] }],
    );
    expect(err).toBeLessThan(1e-6);
  });

  it.each([0, 2])('token table gradient matches finite differences without a puzzle table (prefix %i)', (P) => {
    const B = 2, L = 5, V = 4, D = 3;
    const err = gradCheck(
      (t, [tok, tt]) => embedInputs(t, tok, null, tt, null, { prefixLen: P, scale: 1.7 }),
      [{ data: randint(B * L, 0, V, 4), shape: [B, L], dtype: 'i32' }, { data: randn(V * D, 5), shape: [V, D] }],
    );
    expect(err).toBeLessThan(1e-6);
  });

  it('per-sample puzzle grads summed over repeated ids equal the finite-difference table gradient', () => {
    const B = 4, L = 2, V = 3, D = 3, P = 2, E = 4, nP = 3;
    const ids = [2, 0, 2, 2];
    const tok = cpu.fromArray(randint(B * L, 0, V, 6), [B, L], 'i32');
    const idT = cpu.fromArray(ids, [B], 'i32');
    const tt = cpu.fromArray(randn(V * D, 7), [V, D]);
    const base = randn(nP * E, 8);
    const w = randn(B * (P + L) * D, 9);
    const objective = (pt: Float64Array) => cpu.scope(() => {
      const x = embedInputsForward(cpu, tok, idT, tt, cpu.fromArray(pt, [nP, E]), { prefixLen: P, scale: 1.3 }).f64;
      return x.reduce((s, v, i) => s + w[i] * v, 0);
    });
    const perSample = embedPuzzleBackward(cpu, cpu.fromArray(w, [B, P + L, D]), E, { prefixLen: P, scale: 1.3 }).f64;
    const analytic = new Float64Array(nP * E), numeric = new Float64Array(nP * E);
    ids.forEach((id, b) => { for (let k = 0; k < E; k++) analytic[id * E + k] += perSample[b * E + k]; });
    for (let i = 0; i < nP * E; i++) {
      const plus = base.slice(), minus = base.slice();
      plus[i] += 1e-6;
      minus[i] -= 1e-6;
      numeric[i] = (objective(plus) - objective(minus)) / 2e-6;
    }
    expect(relError(analytic, numeric, 1e-8)).toBeLessThan(1e-6);
    expect(analytic.slice(E, 2 * E).every((v) => v === 0)).toBe(true); // id 1 unused
  });

  it('adds the learned position table to every sample before the scale', () => {
    const tokens = cpu.fromArray([1, 0, 0, 1], [2, 2], 'i32');
    const table = cpu.fromArray([1, 2, 3, 4], [2, 2]);
    const pos = cpu.fromArray([10, 20, 30, 40, 50, 60], [3, 2]);
    const x = embedInputsForward(cpu, tokens, null, table, null, { prefixLen: 1, scale: 0.5 }, pos);
    expect(Array.from(x.f64)).toEqual([5, 10, 16.5, 22, 25.5, 31, 5, 10, 15.5, 21, 26.5, 32]);
    expect(() => embedInputsForward(cpu, tokens, null, table, null, { prefixLen: 0, scale: 1 }, pos)).toThrow('position table must be f32 [2, 2]');
  });

  it('token, puzzle and position table gradients match finite differences', () => {
    const B = 3, L = 4, V = 3, D = 5, P = 2, E = 7;
    const err = gradCheck(
      (t, [tok, id, tt, pt, pos]) => embedInputs(t, tok, id, tt, pt, { prefixLen: P, scale: Math.sqrt(D) * 0.7 }, pos),
      [
        { data: randint(B * L, 0, V, 31), shape: [B, L], dtype: 'i32' }, { data: [0, 1, 2], shape: [B], dtype: 'i32' },
        { data: randn(V * D, 32), shape: [V, D] }, { data: randn(B * E, 33), shape: [B, E] }, { data: randn((P + L) * D, 34), shape: [P + L, D] },
      ],
    );
    expect(err).toBeLessThan(1e-6);
  });

  it('rejects out-of-range ids on the CPU, naming the id', () => {
    const tt = cpu.fromArray(randn(6, 1), [3, 2]);
    const pt = cpu.fromArray(randn(4, 1), [2, 2]);
    const ok = cpu.fromArray([0, 1], [2], 'i32');
    expect(() => embedInputsForward(cpu, cpu.fromArray([0, 3], [1, 2], 'i32'), null, tt, null, { prefixLen: 0, scale: 1 })).toThrow('token id 3 at index 1 is out of range [0, 3)');
    expect(() => embedInputsForward(cpu, cpu.fromArray([0, 1], [2, 1], 'i32'), cpu.fromArray([1, -1], [2], 'i32'), tt, pt, { prefixLen: 1, scale: 1 })).toThrow('puzzle id -1 at index 1');
    expect(() => embedInputsForward(cpu, cpu.fromArray([0, 1], [2, 1], 'i32'), ok, tt, pt, { prefixLen: 0, scale: 1 })).toThrow('exceeds prefixLen·D');
    expect(() => assertIdsInRange([0, 5, -100], 5, 'label', -100)).toThrow('label 5 at index 1');
  });
});

// [B, L, V, D, prefixLen, E (0: no puzzle table)]: every value of B {1,3}, L {1,3,17,33,65}, V {3,11,12},
// D {1,17,33}, prefixLen {0,1,3,16}; E = D, E = prefixLen·D, E not a multiple of D; and D = 65 / V = 33 to
// cross the 64-column and 32-row tiles of token_grad_partial.
const CASES: [number, number, number, number, number, number][] = [
  [1, 1, 3, 1, 0, 0],
  [3, 3, 11, 17, 1, 17],
  [3, 17, 12, 33, 3, 40],
  [1, 33, 3, 17, 16, 17],
  [3, 65, 12, 33, 16, 100],
  [3, 65, 3, 1, 3, 2],
  [1, 65, 11, 33, 1, 5],
  [3, 1, 12, 17, 16, 0],
  [3, 17, 3, 33, 0, 0],
  [1, 3, 12, 1, 16, 16],
  [3, 33, 33, 65, 3, 70],
];

describe('embedding: GPU matches the CPU twin', () => {
  it.each(CASES)('B=%i L=%i V=%i D=%i prefix=%i E=%i', async (B, L, V, D, P, E) => {
    const e = await gpuEngine();
    const label = `B=${B} L=${L} V=${V} D=${D} prefix=${P} E=${E}`;
    const opts = { prefixLen: P, scale: Math.sqrt(D) };
    const nP = 2; // with B = 3 some puzzle ids repeat
    const seed = B * 1000 + L * 10 + D;
    const [cTok, gTok] = both(e, randint(B * L, 0, V, seed), [B, L], 'i32');
    const [cIds, gIds] = both(e, randint(B, 0, nP, seed + 1), [B], 'i32');
    const [cTab, gTab] = both(e, randn(V * D, seed + 2), [V, D]);
    const [cPuz, gPuz] = E ? both(e, randn(nP * E, seed + 3), [nP, E]) : [null, null];

    const before = e.stats().dispatches;
    const gx = embedInputsForward(e, gTok, E ? gIds : null, gTab, gPuz, opts);
    expect(e.stats().dispatches - before).toBe(1);
    await parity('embedding.forward', label, gx, embedInputsForward(cpu, cTok, E ? cIds : null, cTab, cPuz, opts), TOL_COPY);

    const [cG, gG] = both(e, randn(B * (P + L) * D, seed + 4), [B, P + L, D]);
    const mark = e.stats().dispatches;
    const gT = embedTokensBackward(e, gG, gTok, V, opts);
    // One dispatch when all positions fit one chunk (pass 1 writes the result), two otherwise.
    const entry = e.stats().dispatches - mark === 1 ? 'token_grad_partial' : 'token_grad_reduce';
    await parity(`embedding.${entry}`, label, gT, embedTokensBackward(cpu, cG, cTok, V, opts), TOL_SUM);
    if (E) await parity('embedding.puzzle_grad', label, embedPuzzleBackward(e, gG, E, opts), embedPuzzleBackward(cpu, cG, E, opts), TOL_COPY);
  });

  it('covers both token-gradient paths (single chunk and chunked + reduce)', async () => {
    const e = await gpuEngine();
    const count = (N: number) => {
      const [, gTok] = both(e, randint(N, 0, 3, N), [1, N], 'i32');
      const [, gG] = both(e, randn(N * 2, N), [1, N, 2]);
      const mark = e.stats().dispatches;
      embedTokensBackward(e, gG, gTok, 3, { prefixLen: 0, scale: 1 });
      return e.stats().dispatches - mark;
    };
    expect(count(3)).toBe(1);
    expect(count(65)).toBe(2);
  });

  it('clamps out-of-range ids in the kernel instead of reading out of bounds', async () => {
    const e = await gpuEngine();
    const D = 3, V = 4, P = 1, E = 2;
    const [cTab, gTab] = both(e, randn(V * D, 11), [V, D]);
    const [cPuz, gPuz] = both(e, randn(2 * E, 12), [2, E]);
    const gTok = e.fromArray([7, -5, 2], [1, 3], 'i32');
    const gIds = e.fromArray([9], [1], 'i32');
    const x = await e.read(embedInputsForward(e, gTok, gIds, gTab, gPuz, { prefixLen: P, scale: 1 }));
    const clamped = embedInputsForward(cpu, cpu.fromArray([3, 0, 2], [1, 3], 'i32'), cpu.fromArray([1], [1], 'i32'), cTab, cPuz, { prefixLen: P, scale: 1 });
    expect(Array.from(x)).toEqual(Array.from(clamped.f64));
  });

  it('backward through the tape on the GPU equals the CPU (repeated tokens and puzzle ids)', async () => {
    const e = await gpuEngine();
    const B = 3, L = 17, V = 3, D = 17, P = 3, E = 20, nP = 2;
    const opts = { prefixLen: P, scale: Math.sqrt(D) };
    const tok = both(e, randint(B * L, 0, V, 21), [B, L], 'i32');
    const ids = both(e, [1, 0, 1], [B], 'i32');
    const tab = both(e, randn(V * D, 22), [V, D]);
    const puz = both(e, randn(nP * E, 23), [nP, E]);
    const seed = both(e, randn(B * (P + L) * D, 24), [B, P + L, D]);
    const grads = [0, 1].map((k) => {
      const tape = new Tape(tok[k].engine);
      tape.watch(tab[k]);
      tape.watch(puz[k]);
      const x = embedInputs(tape, tok[k], ids[k], tab[k], puz[k], opts);
      const g = tape.backward(x, seed[k]);
      return [g.get(tab[k])!, g.get(puz[k])!];
    });
    expect(grads[1][1].shape).toEqual([B, E]);
    await parity('embedding.token_grad_reduce', 'tape B=3 L=17 V=3 D=17 prefix=3 E=20', grads[1][0], grads[0][0], TOL_SUM);
    await parity('embedding.puzzle_grad', 'tape B=3 L=17 V=3 D=17 prefix=3 E=20', grads[1][1], grads[0][1], TOL_COPY);
  });

  // The position table's gradient is a column sum over the batch (≤ 3 terms per element) and a scaling: tol 1e-6.
  it.each([[1, 3, 3, 1, 0], [3, 17, 11, 17, 1], [3, 65, 12, 33, 16]])('learned positions: forward and table gradient equal the CPU twin (B=%i L=%i V=%i D=%i prefix=%i)', async (B, L, V, D, P) => {
    const e = await gpuEngine();
    const label = `positions B=${B} L=${L} V=${V} D=${D} prefix=${P}`;
    const opts = { prefixLen: P, scale: Math.sqrt(D) * 0.707106781 };
    const [cTok, gTok] = both(e, randint(B * L, 0, V, L), [B, L], 'i32');
    const [cTab, gTab] = both(e, randn(V * D, D), [V, D]);
    const [cPos, gPos] = both(e, randn((P + L) * D, L + D), [P + L, D]);
    await parity('embedding.forward', label, embedInputsForward(e, gTok, null, gTab, null, opts, gPos), embedInputsForward(cpu, cTok, null, cTab, null, opts, cPos), TOL_COPY);
    const [cG, gG] = both(e, randn(B * (P + L) * D, B + L), [B, P + L, D]);
    await parity('matmul.colsum', label, embedPosBackward(e, gG, opts), embedPosBackward(cpu, cG, opts), 1e-6);
  });
});
