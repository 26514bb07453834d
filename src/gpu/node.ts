import { requestGpu, type GpuHandle, type RequestOptions } from './device';

/** Where Debian's chromium package puts SwiftShader's Vulkan driver: the software adapter on GPU-less machines. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

let gpuSingleton: GPU | null = null;

/**
 * WebGPU in Node through Dawn (the `webgpu` package). `TRM_GPU=software` forces SwiftShader; by default a
 * real GPU is used when the Vulkan loader finds one, SwiftShader otherwise.
 */
export async function requestNodeGpu(opts: RequestOptions = {}): Promise<GpuHandle> {
  if (!gpuSingleton) {
    const fs = await import('node:fs');
    if (!process.env.VK_ICD_FILENAMES && process.env.TRM_GPU === 'software' && fs.existsSync(SWIFTSHADER_ICD)) {
      process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    }
    const webgpu = await import('webgpu');
    Object.assign(globalThis, webgpu.globals);
    gpuSingleton = webgpu.create([]);
    if (!process.env.VK_ICD_FILENAMES && fs.existsSync(SWIFTSHADER_ICD)) {
      // No hardware adapter: fall back to SwiftShader in a fresh Dawn instance.
      const probe = await gpuSingleton.requestAdapter();
      if (!probe) {
        process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
        gpuSingleton = webgpu.create([]);
      }
    }
  }
  return requestGpu(gpuSingleton, `Node.js ${process.version}`, opts);
}
