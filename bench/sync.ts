import type { GpuEngine } from '../src/gpu/engine';
import type { Tf } from './types';

/** Submit what our engine has recorded and wait until the GPU has run it. */
export async function syncOurs(e: GpuEngine): Promise<void> {
  e.flush();
  await e.device.queue.onSubmittedWorkDone();
}

interface TfjsWebGpuBackend {
  commandEncoder: GPUCommandEncoder | null;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

/** Submit tfjs's deferred commands (it batches dispatches into an open pass) and wait until the GPU has run them. */
export async function syncTfjs(tf: Tf, device: GPUDevice): Promise<void> {
  const b = tf.backend() as unknown as TfjsWebGpuBackend;
  if (b.commandEncoder) {
    b.endComputePassEncoder();
    b.submitQueue();
  }
  await device.queue.onSubmittedWorkDone();
}
