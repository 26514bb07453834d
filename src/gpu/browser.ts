import { requestGpu, type GpuHandle, type RequestOptions } from './device';

/** WebGPU in a page or a Web Worker (both expose navigator.gpu). */
export function requestBrowserGpu(opts: RequestOptions = {}): Promise<GpuHandle> {
  const nav = globalThis.navigator as (Navigator & { gpu?: GPU }) | undefined;
  return requestGpu(nav?.gpu, nav?.userAgent ?? '', opts);
}
