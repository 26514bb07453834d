import { requestNodeGpu } from '../src/gpu/node';
import { createContext } from './context';
import { runSuite } from './suite';
import type { BenchResult } from './types';

/** The suite in Node through Dawn (`npm run bench -- --node`): for machines with a GPU and no browser. */
export async function runInNode(opts: { quick: boolean; peakGflops?: number; only?: string; softwareKernels?: boolean; checkSteps?: number }): Promise<BenchResult> {
  const handle = await requestNodeGpu();
  const ctx = await createContext(handle, { ...opts, log: (l) => console.log(l) });
  return runSuite(ctx, `Node.js ${process.version} (Dawn, webgpu package)`);
}
