import { Tensor, type DType, type Shape } from './tensor';

export interface EngineStats {
  /** Tensors created and not yet released. */
  liveTensors: number;
  /** GPU buffers ever created by the pool (flat in a steady-state loop). 0 on the CPU. */
  buffersCreated: number;
  /** Bytes held by live and pooled GPU buffers. */
  bytesAllocated: number;
  /** Compute dispatches recorded since creation. */
  dispatches: number;
  /** Queue submissions since creation. */
  submits: number;
}

/** What an engine can hold, for estimating a config's memory before anything is allocated (src/trm/memory.ts). */
export interface EngineLimits {
  /** The device in words, for messages. */
  device: string;
  /** Bytes the engine may use in all, and where that figure comes from. */
  memoryBytes: number;
  memorySource: string;
  /** Largest single buffer (the CPU twin: the memory budget). */
  maxBufferSize: number;
  /** Largest buffer one kernel binding may cover (the CPU twin: the memory budget). */
  maxStorageBufferBindingSize: number;
  /** Bytes of one f32 element: 4 on the GPU, 8 in the CPU twin's float64. */
  bytesPerFloat: number;
}

/**
 * What ops run on: the GPU (WGSL kernels) or the CPU twin (float64 oracle and slow fallback).
 * Ops branch on `kind`; everything else (allocation, memory scopes, readback) is shared here.
 */
export interface Engine {
  readonly kind: 'gpu' | 'cpu';
  /** Uninitialised tensor (GPU: may hold stale pooled data). Registered in the current memory scope. */
  empty(shape: Shape, dtype?: DType): Tensor;
  zeros(shape: Shape, dtype?: DType): Tensor;
  fromArray(data: ArrayLike<number>, shape: Shape, dtype?: DType): Tensor;
  /** Overwrite a tensor's contents from the CPU (same element count). */
  write(t: Tensor, data: ArrayLike<number>): void;
  /** A view with another shape over the same storage (same element count); released with its base. */
  reshape(t: Tensor, shape: Shape): Tensor;
  /** A view of `size(shape)` elements from `elementOffset` (256-byte aligned on the GPU); released with its base. */
  view(t: Tensor, elementOffset: number, shape: Shape): Tensor;
  /** Values as float64 (f32 tensors) or exact integers. Never blocks the recording of further work. */
  read(t: Tensor): Promise<Float64Array | Int32Array | Uint32Array>;
  release(t: Tensor): void;
  /** Run `fn`; release every tensor it created except those reachable from its result (which move to the parent scope). */
  scope<T>(fn: () => T): T;
  /** Take a tensor out of all memory scopes: it lives until released explicitly. */
  keep<T extends Tensor>(t: T): T;
  /** Submit recorded work (no-op on the CPU). */
  flush(): void;
  stats(): EngineStats;
  limits(): EngineLimits;
}

/** Memory-scope bookkeeping shared by both engines. */
export class ScopeStack {
  private readonly stack: Set<Tensor>[] = [];

  track(t: Tensor): void {
    this.stack[this.stack.length - 1]?.add(t);
  }

  untrack(t: Tensor): void {
    for (const s of this.stack) s.delete(t);
  }

  run<T>(fn: () => T, release: (t: Tensor) => void): T {
    const frame = new Set<Tensor>();
    this.stack.push(frame);
    let result: T;
    try {
      result = fn();
    } finally {
      this.stack.pop();
    }
    if (result instanceof Promise) throw new Error('memory scopes are synchronous: await outside the scope');
    const kept = new Set<Tensor>();
    collectTensors(result, kept);
    for (const t of frame) {
      if (kept.has(t)) this.track(t);
      else release(t);
    }
    return result;
  }
}

function collectTensors(v: unknown, out: Set<Tensor>, depth = 0): void {
  if (depth > 4 || v === null || typeof v !== 'object') return;
  if (v instanceof Tensor) {
    out.add(v);
    return;
  }
  if (Array.isArray(v)) for (const x of v) collectTensors(x, out, depth + 1);
  else if (v instanceof Map) for (const x of v.values()) collectTensors(x, out, depth + 1);
  else if (Object.getPrototypeOf(v) === Object.prototype) for (const x of Object.values(v)) collectTensors(x, out, depth + 1);
}
