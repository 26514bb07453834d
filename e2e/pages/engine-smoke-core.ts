import { Tape } from '../../src/autograd/tape';
import { GpuEngine } from '../../src/gpu/engine';
import { requestBrowserGpu } from '../../src/gpu/browser';
import { add, scale } from '../../src/ops/elementwise';

export interface SmokeResult {
  adapter: string;
  values: number[];
  grad: number[];
}

/** A tiny forward + backward on the GPU: proves device setup, dispatch, tape and readback in this context. */
export async function runSmoke(): Promise<SmokeResult> {
  const e = new GpuEngine(await requestBrowserGpu());
  const tape = new Tape(e);
  const a = tape.watch(e.fromArray([1, 2, 3], [3]));
  const b = e.fromArray([10, 20, 30], [3]);
  const out = scale(tape, add(tape, a, b), 2);
  const g = tape.backward(out);
  const values = Array.from(await e.read(out));
  const grad = Array.from(await e.read(g.get(a)!));
  return { adapter: e.adapterDescription, values, grad };
}
