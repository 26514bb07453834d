import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

let current: GPUDevice | null = null;

/**
 * Make TensorFlow.js run on `device` (the GPUDevice our engine uses), so both stacks share one device and
 * queue in a side-by-side benchmark. Idempotent for the same device; another device replaces the backend.
 */
export async function useTfjsOn(device: GPUDevice, adapter: GPUAdapter): Promise<typeof tf> {
  if (current === device && tf.getBackend() === 'webgpu') return tf;
  // Node has no navigator; the backend's constructor checks navigator.gpu.
  const g = globalThis as { navigator?: { gpu?: unknown } };
  g.navigator ??= { gpu: {} };
  (g.navigator as { gpu?: unknown }).gpu ??= {};
  // In a browser the package registers its own 'webgpu' (its own device) on import: replace it with ours.
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(device, adapter.info));
  if (!(await tf.setBackend('webgpu'))) throw new Error('TensorFlow.js could not initialise its WebGPU backend');
  // Keep every op on the GPU (by default small ops with CPU-resident inputs run on the CPU).
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  current = device;
  return tf;
}
