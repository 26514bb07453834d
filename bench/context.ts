import { adapterName, type GpuHandle } from '../src/gpu/device';
import { GpuEngine } from '../src/gpu/engine';
import { GpuCounters } from './counters';
import { useTfjsOn } from './tfjs/backend';
import type { BenchContext } from './types';

/** Vendor FP32 peaks (GFLOP/s) of GPUs this bench has run on, matched against the adapter's name. */
const FP32_PEAKS: [RegExp, number][] = [[/h200|h100|hopper/i, 66_900]];

export function fp32Peak(handle: GpuHandle): number | null {
  if (handle.info.isSoftware) return null;
  const name = adapterName(handle.info);
  return FP32_PEAKS.find(([re]) => re.test(name))?.[1] ?? null;
}

/** Both implementations on the one device: the counters wrap it before either allocates anything. */
export async function createContext(handle: GpuHandle, opts: { quick: boolean; peakGflops?: number; only?: string; softwareKernels?: boolean; checkSteps?: number; log(line: string): void }): Promise<BenchContext> {
  const software = handle.info.isSoftware;
  const peakGflops = opts.peakGflops ?? fp32Peak(handle);
  // Sizes and the peak follow the adapter; --software-kernels changes only our engine's kernel choices.
  const counters = new GpuCounters(handle.device);
  const engine = new GpuEngine(handle, { softwareKernels: opts.softwareKernels || undefined });
  const tf = await useTfjsOn(handle.device, handle.adapter);
  return { handle, engine, tf, counters, quick: opts.quick, software, softwareKernels: !!opts.softwareKernels, peakGflops, only: opts.only, checkSteps: opts.checkSteps, log: opts.log };
}
