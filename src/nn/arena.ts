import type { Engine } from '../engine/engine';
import type { Shape, Tensor } from '../engine/tensor';
import { shapeSize } from '../engine/tensor';

/** Elements per alignment unit: 256 bytes, the storage-buffer offset alignment. */
const ALIGN = 64;

export interface ParamSpec {
  name: string;
  shape: Shape;
  /** Initial values (length = size(shape)). */
  init: ArrayLike<number>;
  /** Decoupled weight decay applies to this tensor. */
  decay?: boolean;
}

export interface ParamSlot {
  name: string;
  shape: Shape;
  offset: number;
  size: number;
  decay: boolean;
}

/** The arena's length in elements for tensors of these shapes, each padded to the alignment; allocates nothing. */
export function arenaLength(shapes: readonly Shape[]): number {
  return Math.max(shapes.reduce((n, s) => n + Math.ceil(shapeSize(s) / ALIGN) * ALIGN, 0), ALIGN);
}

/**
 * All trainable parameters in one flat buffer (and their gradients in a second, same layout), each tensor a
 * 256-byte aligned view. One optimizer dispatch then updates everything; checkpoints read one buffer.
 */
export class ParamArena {
  readonly slots: ParamSlot[] = [];
  readonly total: number;
  readonly data: Tensor;
  readonly grad: Tensor;
  readonly params = new Map<string, Tensor>();
  readonly grads = new Map<string, Tensor>();

  constructor(readonly engine: Engine, specs: readonly ParamSpec[]) {
    let offset = 0;
    for (const s of specs) {
      const size = shapeSize(s.shape);
      if (s.init.length !== size) throw new Error(`param ${s.name}: ${s.init.length} initial values for shape [${s.shape.join(',')}]`);
      if (this.slots.some((x) => x.name === s.name)) throw new Error(`param ${s.name} declared twice`);
      this.slots.push({ name: s.name, shape: s.shape, offset, size, decay: s.decay ?? true });
      offset += Math.ceil(size / ALIGN) * ALIGN;
    }
    this.total = arenaLength(specs.map((s) => s.shape));
    const flat = new Float64Array(this.total);
    specs.forEach((s, i) => flat.set(Array.from(s.init), this.slots[i].offset));
    this.data = engine.keep(engine.fromArray(flat, [this.total]));
    this.grad = engine.keep(engine.zeros([this.total]));
    for (const s of this.slots) {
      this.params.set(s.name, engine.view(this.data, s.offset, s.shape));
      this.grads.set(s.name, engine.view(this.grad, s.offset, s.shape));
    }
  }

  param(name: string): Tensor {
    const t = this.params.get(name);
    if (!t) throw new Error(`no parameter named ${name}`);
    return t;
  }

  /** Views with this arena's layout over another buffer of the same size (e.g. the EMA copy). */
  viewsOver(buffer: Tensor): Map<string, Tensor> {
    if (buffer.size !== this.total) throw new Error(`viewsOver: ${buffer} does not match the arena's ${this.total} elements`);
    return new Map(this.slots.map((s) => [s.name, this.engine.view(buffer, s.offset, s.shape)]));
  }

  /** Per-element weight-decay mask (1 where decay applies), same layout as the arena. */
  decayMask(): Float64Array {
    const m = new Float64Array(this.total);
    for (const s of this.slots) if (s.decay) m.fill(1, s.offset, s.offset + s.size);
    return m;
  }

  /** Map from each parameter view to its gradient view, for Tape.backward's `into`. */
  gradTargets(): Map<Tensor, Tensor> {
    return new Map(this.slots.map((s) => [this.params.get(s.name)!, this.grads.get(s.name)!]));
  }

  release(): void {
    this.engine.release(this.data);
    this.engine.release(this.grad);
  }
}
