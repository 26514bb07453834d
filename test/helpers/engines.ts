import { appendFileSync, mkdirSync } from 'node:fs';
import { CpuEngine } from '../../src/engine/cpu';
import type { Engine } from '../../src/engine/engine';
import type { DType, Shape, Tensor } from '../../src/engine/tensor';
import { GpuEngine } from '../../src/gpu/engine';
import { requestNodeGpu } from '../../src/gpu/node';
import { mulberry32 } from '../../src/nn/init';
import { relError } from '../../src/engine/rel-error';

export { relError };

let gpu: Promise<GpuEngine> | null = null;

/** One real WebGPU engine per test file (Dawn in Node; SwiftShader where there is no GPU). Never skipped. */
export function gpuEngine(): Promise<GpuEngine> {
  gpu ??= requestNodeGpu().then((h) => {
    const e = new GpuEngine(h);
    console.log(`[webgpu] adapter: ${e.adapterDescription}`);
    return e;
  });
  return gpu;
}

export const cpu = new CpuEngine();

/** Deterministic pseudo-random numbers so failures reproduce. */
export const rng = mulberry32;

export function randn(n: number, seed: number, scale = 1): Float64Array {
  const r = rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(r(), 1e-12), v = r();
    out[i] = scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return out;
}

export function randint(n: number, lo: number, hi: number, seed: number): Int32Array {
  const r = rng(seed);
  return Int32Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo)));
}

/** The same data as a tensor on each engine. f32 values are rounded to float32 first so both see equal inputs. */
export function both(e: Engine, data: ArrayLike<number>, shape: Shape, dtype: DType = 'f32'): [Tensor, Tensor] {
  const d = dtype === 'f32' ? Float64Array.from(Float32Array.from(data)) : data;
  return [cpu.fromArray(d, shape, dtype), e.fromArray(d, shape, dtype)];
}

/**
 * Compare a GPU tensor with its CPU twin, record the error for the parity report
 * (test-results/parity.jsonl: kernel, case, error, tolerance) and return it.
 */
export async function parity(kernel: string, label: string, gpuT: Tensor, cpuT: Tensor, tol: number): Promise<number> {
  const [g, c] = await Promise.all([gpuT.engine.read(gpuT), cpu.read(cpuT)]);
  const err = relError(g, c);
  mkdirSync('test-results', { recursive: true });
  appendFileSync('test-results/parity.jsonl', JSON.stringify({ kernel, case: label, error: err, tol }) + '\n');
  if (!(err <= tol)) throw new Error(`${kernel} ${label}: relative error ${err.toExponential(3)} exceeds ${tol}`);
  return err;
}
