import { CpuEngine } from '../engine/cpu';
import type { Engine } from '../engine/engine';
import { requestBrowserGpu } from '../gpu/browser';
import type { GpuInfo } from '../gpu/device';
import { GpuEngine } from '../gpu/engine';
import { bound } from '../io/user-error';
import type { Backend } from './protocol';

/** An engine the worker trains on, with what the page shows about it. */
export interface OpenedEngine {
  engine: Engine;
  backend: Backend;
  adapter: string;
  features: string[];
  /** Why the CPU twin is used where WebGPU was asked for ('auto'). */
  fallbackReason?: string;
  /** Registers the handler called once if the device is lost. */
  onLost?: (handler: (reason: string) => void) => void;
  destroy?: () => void;
}

export type OpenEngine = (backend: 'auto' | Backend) => Promise<OpenedEngine>;

const CPU_ADAPTER = 'CPU (float64 reference twin, slow)';

function adapterName(info: GpuInfo): string {
  const name = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / ') || 'unknown adapter';
  return info.isSoftware ? `${name} (software)` : name;
}

export function cpuEngine(fallbackReason?: string): OpenedEngine {
  return { engine: new CpuEngine(), backend: 'cpu', adapter: CPU_ADAPTER, features: [], fallbackReason };
}

/** WebGPU in a page or worker; with 'auto', the CPU twin when WebGPU is missing or its device cannot be made. */
export const openBrowserEngine: OpenEngine = async (backend) => {
  if (backend === 'cpu') return cpuEngine();
  try {
    const handle = await requestBrowserGpu();
    const e = new GpuEngine(handle);
    return {
      engine: e,
      backend: 'gpu',
      adapter: adapterName(handle.info),
      features: handle.info.features,
      onLost: (h) => e.onLost(h),
      destroy: () => e.destroy(),
    };
  } catch (err) {
    if (backend === 'gpu') throw err;
    return cpuEngine(bound(err instanceof Error ? err.message : String(err)));
  }
};
