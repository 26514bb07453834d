import type { Tape } from '../autograd/tape';
import type { Engine } from '../engine/engine';
import { sameShape, type Tensor } from '../engine/tensor';
import type { GpuEngine } from '../gpu/engine';
import { assertIdsInRange } from './embedding';

const WG = 256;

/** Label of a position that is not supervised (the reference's IGNORE_LABEL_ID). */
export const IGNORE_LABEL = -100;

export type CrossEntropyKind = 'stablemax' | 'softmax';

export interface CrossEntropyResult {
  /** [B] f32: Σ_t CE_t·mask_t / max(1, Σ_t mask_t), mask_t = (label ≠ −100). */
  loss: Tensor;
  /** [B] i32: positions with mask ∧ argmax(logits) = label (first maximum wins ties, as torch.argmax). */
  correct: Tensor;
  /** [B] i32: Σ_t mask_t. */
  valid: Tensor;
  /**
   * [B] f32, 0 or 1: correct == valid, the reference's seq_is_correct (the q-halt BCE target, hence f32).
   * A fully ignored sequence counts as exact; the reference leaves such sequences out of its logged
   * metrics (valid > 0) but still uses the 1 as their halting target.
   */
  exact: Tensor;
}

export interface CrossEntropyForward extends CrossEntropyResult {
  /** [B, L, V] d loss[b] / d logits, or null when not requested. */
  grad: Tensor | null;
}

function stablemax(x: number): number {
  return x < 0 ? 1 / (1 - x) : x + 1;
}

/**
 * Per-sequence cross-entropy, its gradient and the exact-match metrics in one pass (one dispatch, one
 * workgroup per sequence). logits [B, L, V] f32, labels [B, L] i32 in [0, V) or −100. stablemax:
 * p_j = s(x_j)/Σ s, s(x) = 1/(1−x) for x < 0, x+1 otherwise (not shift invariant: logits are used as is);
 * softmax: the usual. The CPU twin (float64, as the reference's stablemax) throws on an out-of-range label;
 * the kernel treats one as ignored.
 */
export function crossEntropyForward(e: Engine, logits: Tensor, labels: Tensor, kind: CrossEntropyKind, withGrad = true): CrossEntropyForward {
  if (logits.dtype !== 'f32' || logits.rank !== 3) throw new Error(`crossEntropy: logits must be f32 [B, L, V], got ${logits}`);
  const [B, L, V] = logits.shape;
  if (labels.dtype !== 'i32' || !sameShape(labels.shape, [B, L])) throw new Error(`crossEntropy: labels must be i32 [${B}, ${L}], got ${labels}`);
  const loss = e.empty([B]), correct = e.empty([B], 'i32'), valid = e.empty([B], 'i32'), exact = e.empty([B]);
  const grad = withGrad ? e.empty(logits.shape) : null;
  if (e.kind === 'gpu') {
    const g = e as GpuEngine;
    // The entry point always binds a gradient buffer; without one it gets a scratch it never writes.
    const gradBuf = grad ?? e.empty([1]);
    g.run({
      shader: 'losses',
      entry: 'cross_entropy',
      params: [B, L, V, kind === 'softmax' ? 1 : 0, grad ? 1 : 0],
      buffers: [logits, labels, loss, gradBuf, correct, valid, exact],
      workgroups: g.grid(B * WG, WG),
    });
    if (!grad) e.release(gradBuf);
    return { loss, grad, correct, valid, exact };
  }
  const x = logits.f64, y = labels.cpu;
  assertIdsInRange(y, V, 'label', IGNORE_LABEL);
  const gr = grad?.f64;
  for (let b = 0; b < B; b++) {
    let n = 0;
    for (let t = 0; t < L; t++) if (y[b * L + t] !== IGNORE_LABEL) n++;
    const inv = 1 / Math.max(1, n);
    let sum = 0, ok = 0;
    for (let t = 0; t < L; t++) {
      const row = (b * L + t) * V, label = y[b * L + t];
      if (label === IGNORE_LABEL) {
        gr?.fill(0, row, row + V);
        continue;
      }
      let k = 0;
      for (let j = 1; j < V; j++) if (x[row + j] > x[row + k]) k = j;
      if (k === label) ok++;
      // −log p_label as log1p of the directly summed remainder, and d/dx_label as minus that remainder's
      // share, so a confident row's tiny loss and gradient survive rounding (even in float64).
      if (kind === 'softmax') {
        const m = x[row + k];
        let notK = 0, notY = 0;
        for (let j = 0; j < V; j++) {
          const ej = Math.exp(x[row + j] - m);
          if (j !== k) notK += ej;
          if (j !== label) notY += ej;
        }
        const z = 1 + notK;
        sum += m - x[row + label] + Math.log1p(notK);
        if (gr) for (let j = 0; j < V; j++) gr[row + j] = (inv / z) * (j === label ? -notY : Math.exp(x[row + j] - m));
      } else {
        let rest = 0;
        for (let j = 0; j < V; j++) if (j !== label) rest += stablemax(x[row + j]);
        const sy = stablemax(x[row + label]), z = sy + rest;
        sum += Math.log1p(rest / sy);
        if (gr) {
          for (let j = 0; j < V; j++) {
            const s = stablemax(x[row + j]), ds = x[row + j] < 0 ? s * s : 1;
            gr[row + j] = (inv / z) * (j === label ? -ds * rest / sy : ds);
          }
        }
      }
    }
    loss.f64[b] = sum * inv;
    correct.cpu[b] = ok;
    valid.cpu[b] = n;
    exact.f64[b] = ok === n ? 1 : 0;
  }
  return { loss, grad, correct, valid, exact };
}

/** out[r, …] = g[r] · a[r, …] for g of `rows` elements and a of rows·k (chain rule through a per-row loss). */
export function scaleRows(e: Engine, a: Tensor, g: Tensor): Tensor {
  if (a.rank === 0 || a.dim(0) !== g.size) throw new Error(`scaleRows: ${a} does not split into ${g.size} rows`);
  const rowLen = a.size / g.size;
  const out = e.empty(a.shape);
  if (e.kind === 'gpu') {
    const ge = e as GpuEngine;
    ge.run({ shader: 'losses', entry: 'scale_rows', params: [a.size, rowLen], buffers: [g, a, out], workgroups: ge.grid(a.size, WG) });
    return out;
  }
  const gv = g.f64, av = a.f64, o = out.f64;
  for (let i = 0; i < o.length; i++) o[i] = gv[Math.floor(i / rowLen)] * av[i];
  return out;
}

/**
 * BCE with logits, elementwise, with its gradient d loss / d q = σ(q) − t in the same dispatch.
 * loss = max(q, 0) − q·t + log(1 + exp(−|q|)), finite and accurate for any |q|.
 */
export function bceWithLogitsForward(e: Engine, q: Tensor, target: Tensor): { loss: Tensor; grad: Tensor } {
  if (q.dtype !== 'f32' || target.dtype !== 'f32' || !sameShape(q.shape, target.shape)) throw new Error(`bceWithLogits: ${q} and ${target} must be f32 of one shape`);
  const loss = e.empty(q.shape), grad = e.empty(q.shape);
  if (e.kind === 'gpu') {
    const g = e as GpuEngine;
    g.run({ shader: 'losses', entry: 'bce_with_logits', params: [q.size], buffers: [q, target, loss, grad], workgroups: g.grid(q.size, WG) });
    return { loss, grad };
  }
  const qv = q.f64, tv = target.f64;
  for (let i = 0; i < qv.length; i++) {
    const x = qv[i], t = tv[i], tail = 1 / (1 + Math.exp(Math.abs(x))); // σ(−|q|)
    loss.f64[i] = Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
    grad.f64[i] = x >= 0 ? 1 - t - tail : tail - t;
  }
  return { loss, grad };
}

/**
 * Differentiable per-sequence cross-entropy (TRM's lm loss before the batch sum): `loss` [B] carries the
 * gradient; the metrics are plain tensors. The gradient is computed in the forward pass (only when the tape
 * records and logits need it); backward is one scaling dispatch.
 */
export function crossEntropy(tape: Tape, logits: Tensor, labels: Tensor, opts: { kind: CrossEntropyKind }): CrossEntropyResult {
  const e = tape.engine;
  const { grad, ...result } = crossEntropyForward(e, logits, labels, opts.kind, tape.recording && logits.requiresGrad);
  if (grad) tape.record([logits], [result.loss], ([g]) => [g ? scaleRows(e, grad, g) : null]);
  return result;
}

/** Differentiable BCE with logits, elementwise (the q-halt loss). `target` is a constant (no gradient). */
export function bceWithLogits(tape: Tape, q: Tensor, target: Tensor): Tensor {
  const e = tape.engine;
  const { loss, grad } = bceWithLogitsForward(e, q, target);
  tape.record([q], [loss], ([g]) => [g ? scaleRows(e, grad, g) : null]);
  return loss;
}
