import type { Engine } from './engine';

export type DType = 'f32' | 'i32' | 'u32';
export type Shape = readonly number[];

/** GPU storage: a view into a (possibly shared, pooled) buffer. Offsets are 256-byte aligned. */
export interface GpuStorage {
  readonly kind: 'gpu';
  readonly buffer: GPUBuffer;
  readonly offset: number;
  /** Bytes bound for this tensor (size·4 rounded up to 16 so vec4 kernels may bind it). */
  readonly byteLength: number;
  /** True when the buffer belongs to this tensor alone and returns to the pool on release. */
  readonly owned: boolean;
}

/** CPU storage: float64 inside for f32 tensors so the CPU twin is an oracle, exact integers otherwise. */
export interface CpuStorage {
  readonly kind: 'cpu';
  readonly data: Float64Array | Int32Array | Uint32Array;
}

export type Storage = GpuStorage | CpuStorage;

let nextId = 1;

/** Contiguous row-major tensor. Shape never changes; `reshape` makes a view sharing storage. */
export class Tensor {
  readonly id = nextId++;
  readonly size: number;
  /** Set by the autograd tape on leaves that want gradients and on every result computed from them. */
  requiresGrad = false;
  released = false;

  constructor(
    readonly engine: Engine,
    readonly shape: Shape,
    readonly dtype: DType,
    readonly storage: Storage,
    /** Set on reshape views: the tensor that owns the storage. */
    readonly base?: Tensor,
  ) {
    this.size = shapeSize(shape);
  }

  get gpu(): GpuStorage {
    if (this.storage.kind !== 'gpu') throw new Error(`tensor #${this.id} lives on the CPU, not the GPU`);
    return this.storage;
  }

  get cpu(): Float64Array | Int32Array | Uint32Array {
    if (this.storage.kind !== 'cpu') throw new Error(`tensor #${this.id} lives on the GPU, not the CPU`);
    return this.storage.data;
  }

  /** The CPU data of an f32 tensor (float64 inside). */
  get f64(): Float64Array {
    const d = this.cpu;
    if (!(d instanceof Float64Array)) throw new Error(`tensor #${this.id} is ${this.dtype}, not f32`);
    return d;
  }

  get rank(): number {
    return this.shape.length;
  }

  dim(i: number): number {
    return this.shape[i < 0 ? this.shape.length + i : i];
  }

  toString(): string {
    return `Tensor#${this.id}<${this.dtype}>[${this.shape.join(',')}]`;
  }
}

export function shapeSize(shape: Shape): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`invalid dimension ${d} in shape [${shape.join(',')}]`);
    n *= d;
  }
  return n;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function assertShape(t: Tensor, shape: Shape, what: string): void {
  if (!sameShape(t.shape, shape)) {
    throw new Error(`${what}: expected shape [${shape.join(',')}], got [${t.shape.join(',')}]`);
  }
}
