import { ScopeStack, type Engine, type EngineLimits, type EngineStats } from './engine';
import { Tensor, shapeSize, type DType, type Shape } from './tensor';

function alloc(dtype: DType, n: number): Float64Array | Int32Array | Uint32Array {
  return dtype === 'f32' ? new Float64Array(n) : dtype === 'i32' ? new Int32Array(n) : new Uint32Array(n);
}

/** The CPU twin engine: float64 arithmetic, used as the oracle in tests and as a fallback without WebGPU. */
export class CpuEngine implements Engine {
  readonly kind = 'cpu' as const;
  private readonly scopes = new ScopeStack();
  private live = 0;
  private readonly memory: { bytes: number; source: string };

  /** `memoryBytes`: the RAM this engine may use; default the free memory Node reports, else 8 GiB. */
  constructor(opts: { memoryBytes?: number } = {}) {
    this.memory = opts.memoryBytes !== undefined ? { bytes: opts.memoryBytes, source: 'the memory it was given' } : defaultMemory();
  }

  private make(shape: Shape, dtype: DType, data: Float64Array | Int32Array | Uint32Array): Tensor {
    const t = new Tensor(this, shape, dtype, { kind: 'cpu', data });
    this.live++;
    this.scopes.track(t);
    return t;
  }

  empty(shape: Shape, dtype: DType = 'f32'): Tensor {
    return this.make(shape, dtype, alloc(dtype, shapeSize(shape)));
  }

  zeros(shape: Shape, dtype: DType = 'f32'): Tensor {
    return this.empty(shape, dtype);
  }

  fromArray(data: ArrayLike<number>, shape: Shape, dtype: DType = 'f32'): Tensor {
    const n = shapeSize(shape);
    if (data.length !== n) throw new Error(`fromArray: ${data.length} values for shape [${shape.join(',')}] (${n})`);
    const out = alloc(dtype, n);
    out.set(data);
    return this.make(shape, dtype, out);
  }

  write(t: Tensor, data: ArrayLike<number>): void {
    if (data.length !== t.size) throw new Error(`write: ${data.length} values for ${t}`);
    t.cpu.set(data);
  }

  reshape(t: Tensor, shape: Shape): Tensor {
    if (shapeSize(shape) !== t.size) throw new Error(`reshape: [${t.shape.join(',')}] has ${t.size} elements, [${shape.join(',')}] needs ${shapeSize(shape)}`);
    return new Tensor(this, shape, t.dtype, t.storage, t.base ?? t);
  }

  view(t: Tensor, elementOffset: number, shape: Shape): Tensor {
    const n = shapeSize(shape);
    if (elementOffset + n > t.size) throw new Error(`view [${elementOffset}, ${elementOffset + n}) exceeds ${t.size} elements`);
    return new Tensor(this, shape, t.dtype, { kind: 'cpu', data: t.cpu.subarray(elementOffset, elementOffset + n) }, t.base ?? t);
  }

  async read(t: Tensor): Promise<Float64Array | Int32Array | Uint32Array> {
    return t.cpu.slice();
  }

  release(t: Tensor): void {
    if (t.released) return;
    t.released = true;
    if (t.base) return;
    this.live--;
    this.scopes.untrack(t);
  }

  scope<T>(fn: () => T): T {
    return this.scopes.run(fn, (t) => this.release(t));
  }

  keep<T extends Tensor>(t: T): T {
    this.scopes.untrack(t);
    return t;
  }

  flush(): void {}

  stats(): EngineStats {
    return { liveTensors: this.live, buffersCreated: 0, bytesAllocated: 0, dispatches: 0, submits: 0 };
  }

  limits(): EngineLimits {
    const { bytes, source } = this.memory;
    return { device: 'the CPU twin', memoryBytes: bytes, memorySource: source, maxBufferSize: bytes, maxStorageBufferBindingSize: bytes, bytesPerFloat: 8 };
  }
}

const GIB = 2 ** 30;

/** Free RAM where the runtime says (Node ≥ 20.13), else the device memory a browser reports (Chrome caps it at 8 GiB), else 8 GiB. */
function defaultMemory(): { bytes: number; source: string } {
  const free = (globalThis as { process?: { availableMemory?: () => number } }).process?.availableMemory?.();
  if (free && Number.isFinite(free)) return { bytes: free, source: 'free RAM' };
  const gib = (globalThis as { navigator?: { deviceMemory?: number } }).navigator?.deviceMemory;
  if (gib) return { bytes: gib * GIB, source: "the browser's device memory" };
  return { bytes: 8 * GIB, source: 'an assumed 8 GiB of RAM' };
}
