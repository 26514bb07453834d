import { Usage } from './flags';
import { packParams, type Param } from './params';
import type { Profiler } from './profiler';

const ARENA_BYTES = 64 * 1024;

/**
 * Records many dispatches into one command encoder and one compute pass, and submits them together.
 * Uniform params of all dispatches live in one arena buffer written once per submit, so recording
 * allocates no GPU buffers.
 */
export class CommandRecorder {
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private readonly arena: GPUBuffer;
  private readonly arenaCpu = new ArrayBuffer(ARENA_BYTES);
  private readonly arenaView = new DataView(this.arenaCpu);
  private arenaUsed = 0;
  private readonly align: number;
  private passLabel: string | null = null;
  pending = 0;
  dispatches = 0;
  submits = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly profiler: Profiler | null,
  ) {
    this.align = device.limits.minUniformBufferOffsetAlignment;
    this.arena = device.createBuffer({ size: ARENA_BYTES, usage: Usage.UNIFORM | Usage.COPY_DST, label: 'param-arena' });
  }

  private enc(): GPUCommandEncoder {
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    return this.encoder;
  }

  private computePass(): GPUComputePassEncoder {
    if (!this.pass) {
      const label = this.passLabel ?? 'compute';
      this.pass = this.enc().beginComputePass({ label, timestampWrites: this.profiler?.passWrites(label) });
    }
    return this.pass;
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }

  /** Start a new pass; with a profiler, its GPU time is reported under `label`. */
  section(label: string): void {
    this.endPass();
    this.passLabel = label;
  }

  /** Reserve a uniform slot for params; returns its binding resource. */
  params(values: readonly Param[]): GPUBufferBinding {
    const bytes = Math.max(16, Math.ceil((values.length * 4) / 16) * 16);
    if (this.arenaUsed + bytes > ARENA_BYTES) this.submit();
    const offset = this.arenaUsed;
    packParams(values, this.arenaView, offset);
    this.arenaUsed = Math.ceil((offset + bytes) / this.align) * this.align;
    return { buffer: this.arena, offset, size: bytes };
  }

  dispatch(pipeline: GPUComputePipeline, bindGroup: GPUBindGroup, x: number, y = 1, z = 1): void {
    const pass = this.computePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(x, y, z);
    this.pending++;
    this.dispatches++;
  }

  clear(buffer: GPUBuffer, offset: number, size: number): void {
    this.endPass();
    this.enc().clearBuffer(buffer, offset, size);
    this.pending++;
  }

  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, size: number): void {
    this.endPass();
    this.enc().copyBufferToBuffer(src, srcOffset, dst, dstOffset, size);
    this.pending++;
  }

  submit(): void {
    if (!this.encoder) return;
    this.endPass();
    if (this.arenaUsed > 0) this.device.queue.writeBuffer(this.arena, 0, this.arenaCpu, 0, this.arenaUsed);
    this.profiler?.resolve(this.encoder);
    this.device.queue.submit([this.encoder.finish()]);
    this.profiler?.collect();
    this.encoder = null;
    this.arenaUsed = 0;
    this.pending = 0;
    this.passLabel = null;
    this.submits++;
  }
}
