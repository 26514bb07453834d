import { shaderSource } from './shaders';

/** Compute pipelines keyed by shader, entry point and override constants; compiled once. */
export class PipelineCache {
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();

  constructor(private readonly device: GPUDevice) {}

  module(shader: string): GPUShaderModule {
    let m = this.modules.get(shader);
    if (!m) {
      m = this.device.createShaderModule({ code: shaderSource(shader), label: shader });
      this.modules.set(shader, m);
    }
    return m;
  }

  get(shader: string, entry: string, constants?: Record<string, number>): GPUComputePipeline {
    const key = constants ? `${shader}:${entry}:${JSON.stringify(constants)}` : `${shader}:${entry}`;
    let p = this.pipelines.get(key);
    if (!p) {
      p = this.device.createComputePipeline({
        label: key,
        layout: 'auto',
        compute: { module: this.module(shader), entryPoint: entry, constants },
      });
      this.pipelines.set(key, p);
    }
    return p;
  }

  get size(): number {
    return this.pipelines.size;
  }
}
