import { MAP_READ_MODE, Usage } from './flags';
import { ScopeStack, type Engine, type EngineLimits, type EngineStats } from '../engine/engine';
import { Tensor, shapeSize, type DType, type Shape } from '../engine/tensor';
import { BindGroupCache } from './bind-groups';
import { describeAdapter, type GpuHandle } from './device';
import type { Param } from './params';
import { PipelineCache } from './pipelines';
import { BufferPool } from './pool';
import { Profiler } from './profiler';
import { CommandRecorder } from './recorder';

export interface Dispatch {
  shader: string;
  entry: string;
  constants?: Record<string, number>;
  /** Uniform struct at @binding(0), packed in order; omit when the entry point declares none. */
  params?: readonly Param[];
  /** Storage buffers at @binding(1), @binding(2), …; null for a binding this entry point does not use. */
  buffers: readonly (Tensor | null)[];
  workgroups: readonly [number, number?, number?];
}

const TENSOR_USAGE = Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST;
const READ_USAGE = Usage.MAP_READ | Usage.COPY_DST;

/** The most memory one GPU holds today (256 GiB, AMD MI325X): the total budget when WebGPU reports none. */
export const MAX_GPU_MEMORY = 256 * 2 ** 30;

function tensorBytes(n: number): number {
  return Math.max(16, Math.ceil((n * 4) / 16) * 16);
}

/** The WebGPU engine: pooled tensors, cached pipelines, one submit for many dispatches, async readback. */
export class GpuEngine implements Engine {
  readonly kind = 'gpu' as const;
  readonly device: GPUDevice;
  readonly pool: BufferPool;
  readonly pipelines: PipelineCache;
  readonly bindGroups: BindGroupCache;
  readonly recorder: CommandRecorder;
  readonly profiler: Profiler | null;
  readonly maxWorkgroupsPerDim: number;
  /**
   * Pick the kernels made for software adapters (barrier-free matmul with the transposes as pipeline constants,
   * one thread per RMSNorm row), where a barrier costs far more than a serial loop. Defaults to the adapter's kind.
   */
  readonly softwareKernels: boolean;
  private readonly scopes = new ScopeStack();
  private live = 0;
  private lostHandlers: ((reason: string) => void)[] = [];
  lost: string | null = null;

  /** GPU memory the caller knows this device has, in bytes; WebGPU itself reports none. */
  readonly memoryBytes: number | undefined;

  constructor(readonly handle: GpuHandle, opts: { profile?: boolean; softwareKernels?: boolean; memoryBytes?: number } = {}) {
    this.device = handle.device;
    this.memoryBytes = opts.memoryBytes;
    this.softwareKernels = opts.softwareKernels ?? handle.info.isSoftware;
    this.pool = new BufferPool(this.device);
    this.pipelines = new PipelineCache(this.device);
    this.bindGroups = new BindGroupCache(this.device);
    this.profiler = opts.profile && handle.hasTimestamps ? new Profiler(this.device) : null;
    this.recorder = new CommandRecorder(this.device, this.profiler);
    this.maxWorkgroupsPerDim = this.device.limits.maxComputeWorkgroupsPerDimension;
    void this.device.lost.then((info) => {
      if (info.reason === 'destroyed') return;
      this.lost = `GPU device lost: ${info.message || info.reason}`;
      for (const h of this.lostHandlers) h(this.lost);
    });
  }

  get adapterDescription(): string {
    return describeAdapter(this.handle.info);
  }

  /** Called once if the device is lost (driver reset, GPU removed); create a new engine to continue. */
  onLost(handler: (reason: string) => void): void {
    this.lostHandlers.push(handler);
  }

  private make(shape: Shape, dtype: DType): Tensor {
    if (this.lost) throw new Error(this.lost);
    const n = shapeSize(shape);
    const byteLength = tensorBytes(n);
    const buffer = this.pool.acquire(byteLength, TENSOR_USAGE);
    const t = new Tensor(this, shape, dtype, { kind: 'gpu', buffer, offset: 0, byteLength, owned: true });
    this.live++;
    this.scopes.track(t);
    return t;
  }

  empty(shape: Shape, dtype: DType = 'f32'): Tensor {
    return this.make(shape, dtype);
  }

  zeros(shape: Shape, dtype: DType = 'f32'): Tensor {
    const t = this.make(shape, dtype);
    this.recorder.clear(t.gpu.buffer, 0, t.gpu.byteLength);
    return t;
  }

  fromArray(data: ArrayLike<number>, shape: Shape, dtype: DType = 'f32'): Tensor {
    const t = this.make(shape, dtype);
    if (data.length !== t.size) throw new Error(`fromArray: ${data.length} values for shape [${shape.join(',')}] (${t.size})`);
    this.write(t, data);
    return t;
  }

  /** Overwrite a tensor's contents from the CPU. */
  write(t: Tensor, data: ArrayLike<number>): void {
    if (data.length !== t.size) throw new Error(`write: ${data.length} values for ${t}`);
    const arr = t.dtype === 'f32' ? Float32Array.from(data) : t.dtype === 'i32' ? Int32Array.from(data) : Uint32Array.from(data);
    // queue.writeBuffer lands before any not-yet-submitted command: submit those first, since a pooled
    // buffer may still be read by them under its previous owner.
    this.recorder.submit();
    this.device.queue.writeBuffer(t.gpu.buffer, t.gpu.offset, arr.buffer, arr.byteOffset, arr.byteLength);
  }

  reshape(t: Tensor, shape: Shape): Tensor {
    if (shapeSize(shape) !== t.size) throw new Error(`reshape: [${t.shape.join(',')}] has ${t.size} elements, [${shape.join(',')}] needs ${shapeSize(shape)}`);
    return new Tensor(this, shape, t.dtype, t.storage, t.base ?? t);
  }

  /** A view of `size(shape)` elements starting at `elementOffset` (which must be 256-byte aligned). */
  view(t: Tensor, elementOffset: number, shape: Shape): Tensor {
    const n = shapeSize(shape);
    const byteOffset = t.gpu.offset + elementOffset * 4;
    if (byteOffset % this.device.limits.minStorageBufferOffsetAlignment !== 0) throw new Error(`view offset ${elementOffset} is not 256-byte aligned`);
    if (elementOffset + n > t.size) throw new Error(`view [${elementOffset}, ${elementOffset + n}) exceeds ${t.size} elements`);
    return new Tensor(this, shape, t.dtype, { kind: 'gpu', buffer: t.gpu.buffer, offset: byteOffset, byteLength: tensorBytes(n), owned: false }, t.base ?? t);
  }

  async read(t: Tensor): Promise<Float64Array | Int32Array | Uint32Array> {
    const bytes = t.size * 4;
    const staging = this.pool.acquire(Math.max(16, bytes), READ_USAGE);
    if (bytes > 0) this.recorder.copy(t.gpu.buffer, t.gpu.offset, staging, 0, Math.ceil(bytes / 4) * 4);
    this.recorder.submit();
    await staging.mapAsync(MAP_READ_MODE, 0, staging.size);
    const range = staging.getMappedRange(0, staging.size);
    const out = t.dtype === 'f32' ? Float64Array.from(new Float32Array(range, 0, t.size)) : t.dtype === 'i32' ? new Int32Array(range, 0, t.size).slice() : new Uint32Array(range, 0, t.size).slice();
    staging.unmap();
    this.pool.release(staging);
    return out;
  }

  release(t: Tensor): void {
    if (t.released) return;
    t.released = true;
    if (t.base) return;
    this.live--;
    this.scopes.untrack(t);
    this.pool.release(t.gpu.buffer);
  }

  scope<T>(fn: () => T): T {
    return this.scopes.run(fn, (t) => this.release(t));
  }

  keep<T extends Tensor>(t: T): T {
    this.scopes.untrack(t);
    return t;
  }

  flush(): void {
    this.recorder.submit();
  }

  /** Wait until all submitted work is done (tests, benchmarks). */
  async sync(): Promise<void> {
    this.recorder.submit();
    await this.device.queue.onSubmittedWorkDone();
  }

  /** Record one compute dispatch. */
  run(d: Dispatch): void {
    const [x, y = 1, z = 1] = d.workgroups;
    if (x === 0 || y === 0 || z === 0) return;
    const pipeline = this.pipelines.get(d.shader, d.entry, d.constants);
    const bindings: (GPUBufferBinding | null)[] = [d.params ? this.recorder.params(d.params) : null];
    d.buffers.forEach((t, i) => {
      if (t?.released) throw new Error(`${d.shader}.${d.entry}: binding ${i + 1} uses released ${t}`);
      bindings.push(t && { buffer: t.gpu.buffer, offset: t.gpu.offset, size: t.gpu.byteLength });
    });
    this.recorder.dispatch(pipeline, this.bindGroups.get(pipeline, bindings), x, y, z);
  }

  /**
   * Workgroup grid for `n` invocations of size `wg`, folded into y when x would exceed the per-dimension
   * limit. Shaders recover the linear index as (wid.y * nwg.x + wid.x) * wg + lid.x.
   */
  grid(n: number, wg: number): [number, number] {
    const groups = Math.ceil(n / wg);
    if (groups <= this.maxWorkgroupsPerDim) return [groups, 1];
    const y = Math.ceil(groups / this.maxWorkgroupsPerDim);
    return [Math.ceil(groups / y), y];
  }

  stats(): EngineStats {
    return {
      liveTensors: this.live,
      buffersCreated: this.pool.created,
      bytesAllocated: this.pool.bytes,
      dispatches: this.recorder.dispatches,
      submits: this.recorder.submits,
    };
  }

  /**
   * WebGPU reports no memory size, so the total is the most any single GPU holds today (MAX_GPU_MEMORY) unless the
   * caller knows better (`memoryBytes`); the buffer limits are the device's own.
   */
  limits(): EngineLimits {
    const l = this.device.limits;
    return {
      device: `WebGPU (${this.adapterDescription})`,
      memoryBytes: this.memoryBytes ?? MAX_GPU_MEMORY,
      memorySource: this.memoryBytes ? 'the memory it was given' : 'the most any GPU holds (WebGPU reports no memory size)',
      maxBufferSize: l.maxBufferSize,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      bytesPerFloat: 4,
    };
  }

  /** Destroy the pooled free buffers (after a large one-off job), and the bind groups that hold them. */
  trim(): void {
    this.bindGroups.clear();
    this.pool.trim();
  }

  destroy(): void {
    this.trim();
    this.device.destroy();
  }
}
