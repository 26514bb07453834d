import type { Engine } from '../engine/engine';
import type { Tensor } from '../engine/tensor';
import { addInto, copy } from '../ops/elementwise';

/**
 * Given the gradients of a node's outputs (null where none flowed), return those of its inputs.
 * `accumulators[k]` is the tensor that already holds input k's gradient (null if none yet): an op that can
 * add its contribution there in the same kernel (matmul's accumulate) may do so and return that tensor, which
 * saves the separate addition and a fresh buffer.
 */
export type BackwardFn = (gradOutputs: (Tensor | null)[], accumulators: (Tensor | null)[]) => (Tensor | null)[];

interface Node {
  inputs: Tensor[];
  outputs: Tensor[];
  backward: BackwardFn;
}

/**
 * A reverse-mode tape over one engine. Ops call `record`; inside `noGrad` nothing is recorded and results
 * do not require gradients (TRM's T−1 recursion cycles run this way). Tensors belong to the engine's
 * memory scopes, not to the tape: run a step inside `engine.scope` and everything it made is released.
 */
export class Tape {
  private nodes: Node[] = [];
  private noGradDepth = 0;

  constructor(readonly engine: Engine) {}

  get recording(): boolean {
    return this.noGradDepth === 0;
  }

  get length(): number {
    return this.nodes.length;
  }

  noGrad<T>(fn: () => T): T {
    this.noGradDepth++;
    try {
      return fn();
    } finally {
      this.noGradDepth--;
    }
  }

  /** Mark a leaf (a parameter or an input) as wanting a gradient. */
  watch<T extends Tensor>(t: T): T {
    t.requiresGrad = true;
    return t;
  }

  /** The same values cut off from the graph: a view that requires no gradient. */
  detach(t: Tensor): Tensor {
    return this.engine.reshape(t, t.shape);
  }

  /** A differentiable view with another shape (same element count, shared storage). */
  reshape(t: Tensor, shape: readonly number[]): Tensor {
    const out = this.engine.reshape(t, shape);
    this.record([t], [out], ([g]) => [g ? this.engine.reshape(g, t.shape) : null]);
    return out;
  }

  /** Ops call this after computing `outputs`; returns whether a node was recorded. */
  record(inputs: Tensor[], outputs: Tensor[], backward: BackwardFn): boolean {
    if (!this.recording || !inputs.some((t) => t.requiresGrad)) return false;
    for (const o of outputs) o.requiresGrad = true;
    this.nodes.push({ inputs, outputs, backward });
    return true;
  }

  /**
   * Backpropagate from `root` (seeded with `seed`, or ones of its shape) and return the gradient of every
   * watched leaf reached. With `into`, leaf gradients are instead added to the given tensors (gradient
   * accumulation over micro-batches or supervision steps) and the returned map holds those tensors.
   * The tape is cleared afterwards.
   */
  backward(root: Tensor, seed?: Tensor, into?: Map<Tensor, Tensor>): Map<Tensor, Tensor> {
    const e = this.engine;
    const grads = new Map<Tensor, Tensor>();
    if (!root.requiresGrad) throw new Error(`backward: ${root} does not depend on any watched tensor`);
    grads.set(root, seed ?? onesLike(e, root));
    const produced = new Set<Tensor>();
    for (const n of this.nodes) for (const o of n.outputs) produced.add(o);
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i];
      const gOut = node.outputs.map((o) => grads.get(o) ?? null);
      if (gOut.every((g) => g === null)) continue;
      // A leaf's `into` tensor collects its gradient from the first contribution on.
      const accs = node.inputs.map((t) => (t.requiresGrad ? (grads.get(t) ?? (produced.has(t) ? null : into?.get(t) ?? null)) : null));
      const gIn = node.backward(gOut, accs);
      for (const o of node.outputs) grads.delete(o);
      // Backward fns may return their incoming gradient or the same tensor for two inputs: store each
      // tensor once (copying where a second input would store it) and release whatever is not stored.
      const stored = new Set(grads.values());
      node.inputs.forEach((inp, k) => {
        let g = gIn[k];
        if (!g || !inp.requiresGrad) return;
        const prev = grads.get(inp);
        if (g === accs[k]) {
          // The op added its contribution into the tensor offered.
          if (!prev) {
            grads.set(inp, g);
            stored.add(g);
          }
          return;
        }
        if (prev) addInto(e, prev, g);
        else {
          if (stored.has(g)) g = copy(e, g);
          grads.set(inp, g);
          stored.add(g);
        }
      });
      const bases = new Set([...stored].map((t) => t.base));
      for (const t of [...gOut, ...gIn]) if (t && t !== seed && !stored.has(t) && !bases.has(t)) e.release(t);
    }
    this.nodes = [];
    const leaves = new Map<Tensor, Tensor>();
    for (const [t, g] of grads) {
      if (produced.has(t)) continue;
      const acc = into?.get(t);
      if (acc) {
        if (g !== acc) {
          addInto(e, acc, g);
          e.release(g);
        }
        leaves.set(t, acc);
      } else leaves.set(t, g);
    }
    return leaves;
  }

  /** Drop recorded nodes without backpropagating (e.g. an evaluation pass that recorded by mistake). */
  clear(): void {
    this.nodes = [];
  }
}

function onesLike(e: Engine, t: Tensor): Tensor {
  return e.fromArray(new Float64Array(t.size).fill(1), t.shape);
}
