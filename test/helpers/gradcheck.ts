import { Tape } from '../../src/autograd/tape';
import type { Tensor, Shape, DType } from '../../src/engine/tensor';
import { cpu, randn, relError, rng } from './engines';

export interface GradInput {
  data: ArrayLike<number>;
  shape: Shape;
  dtype?: DType;
  /** Integer inputs (ids, labels) and inputs with no gradient are not checked. */
  grad?: boolean;
}

/**
 * Finite-difference check in float64 on the CPU twin: L = Σ w·f(inputs) for a fixed random w, analytic
 * gradients from the tape against central differences at up to `samples` coordinates per input.
 * Returns the worst relative error over the checked inputs.
 */
export function gradCheck(f: (tape: Tape, xs: Tensor[]) => Tensor, inputs: GradInput[], opts: { eps?: number; samples?: number; seed?: number } = {}): number {
  const eps = opts.eps ?? 1e-6;
  const samples = opts.samples ?? 40;
  const run = (datas: ArrayLike<number>[], tape: Tape) =>
    cpu.scope(() => {
      const xs = inputs.map((inp, i) => cpu.fromArray(datas[i], inp.shape, inp.dtype ?? 'f32'));
      inputs.forEach((inp, i) => inp.grad !== false && (inp.dtype ?? 'f32') === 'f32' && tape.watch(xs[i]));
      return { xs, out: f(tape, xs) };
    });
  const base = inputs.map((inp) => Float64Array.from(inp.data));
  const tape = new Tape(cpu);
  const { xs, out } = run(base, tape);
  const w = randn(out.size, opts.seed ?? 99);
  const seed = cpu.fromArray(w, out.shape);
  const grads = tape.backward(out, seed);
  const lossAt = (datas: Float64Array[]) => {
    const t = new Tape(cpu);
    return t.noGrad(() => cpu.scope(() => {
      const r = run(datas, t).out.f64;
      let s = 0;
      for (let i = 0; i < r.length; i++) s += w[i] * r[i];
      return s;
    }));
  };
  let worst = 0;
  const pick = rng(opts.seed ?? 7);
  inputs.forEach((inp, k) => {
    if (inp.grad === false || (inp.dtype ?? 'f32') !== 'f32') return;
    const g = grads.get(xs[k]);
    const analytic: number[] = [], numeric: number[] = [];
    const n = base[k].length;
    const idx = n <= samples ? [...Array(n).keys()] : Array.from({ length: samples }, () => Math.floor(pick() * n));
    for (const i of idx) {
      const plus = base.map((b) => b.slice()), minus = base.map((b) => b.slice());
      plus[k][i] += eps;
      minus[k][i] -= eps;
      numeric.push((lossAt(plus) - lossAt(minus)) / (2 * eps));
      analytic.push(g ? g.f64[i] : 0);
    }
    worst = Math.max(worst, relError(analytic, numeric, 1e-8));
  });
  return worst;
}
