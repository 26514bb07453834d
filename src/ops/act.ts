import type { Engine } from '../engine/engine';
import type { Tensor } from '../engine/tensor';
import type { GpuEngine } from '../gpu/engine';

/**
 * The reference's deep-supervision carry, resident on the engine: each batch slot keeps its sample, y, z
 * and step count until it halts, then takes the new batch's sample and the initial y, z.
 */
export interface ActCarry {
  /** u32 [B]: 1 where the slot halted at the previous step (all 1 at start). */
  halted: Tensor;
  /** u32 [B]: supervision steps taken by the slot's current sample. */
  steps: Tensor;
  /** i32 [B, L]. */
  inputs: Tensor;
  /** i32 [B, L]. */
  labels: Tensor;
  /** i32 [B]. */
  puzzleIds: Tensor;
  /** f32 [B, S, D]: answer (z_H) and latent (z_L). */
  y: Tensor;
  z: Tensor;
}

export interface ActBatch {
  inputs: Tensor;
  labels: Tensor;
  puzzleIds: Tensor;
}

const WG = 256;

export function createCarry(e: Engine, batch: number, seqLen: number, positions: number, hidden: number): ActCarry {
  const k = <T extends Tensor>(t: T) => e.keep(t);
  return {
    halted: k(e.fromArray(new Array(batch).fill(1), [batch], 'u32')),
    steps: k(e.zeros([batch], 'u32')),
    inputs: k(e.zeros([batch, seqLen], 'i32')),
    labels: k(e.zeros([batch, seqLen], 'i32')),
    puzzleIds: k(e.zeros([batch], 'i32')),
    y: k(e.zeros([batch, positions, hidden])),
    z: k(e.zeros([batch, positions, hidden])),
  };
}

export function releaseCarry(e: Engine, c: ActCarry): void {
  for (const t of Object.values(c)) e.release(t);
}

/** Halted slots take the batch's sample (steps ← 0) and y, z ← yInit, zInit [D]. */
export function actRefill(e: Engine, c: ActCarry, b: ActBatch, yInit: Tensor, zInit: Tensor): void {
  const [B, L] = c.inputs.shape;
  const [, S, D] = c.y.shape;
  if (e.kind === 'gpu') {
    const g = e as GpuEngine;
    g.run({
      shader: 'act', entry: 'refill_data', params: [B, L, 0, 0, D],
      buffers: [c.halted, c.inputs, c.labels, c.puzzleIds, b.inputs, b.labels, b.puzzleIds, c.steps],
      workgroups: g.grid(B * L, WG),
    });
    g.run({
      shader: 'act', entry: 'reset_state', params: [B, S * D, 0, 0, D],
      buffers: [c.halted, null, null, null, null, null, null, null, c.y, c.z, yInit, zInit],
      workgroups: g.grid(B * S * D, WG),
    });
    return;
  }
  const h = c.halted.cpu;
  for (let s = 0; s < B; s++) {
    if (!h[s]) continue;
    c.inputs.cpu.set(b.inputs.cpu.subarray(s * L, (s + 1) * L), s * L);
    c.labels.cpu.set(b.labels.cpu.subarray(s * L, (s + 1) * L), s * L);
    c.puzzleIds.cpu[s] = b.puzzleIds.cpu[s];
    c.steps.cpu[s] = 0;
    for (let i = 0; i < S; i++) {
      c.y.f64.set(yInit.f64, (s * S + i) * D);
      c.z.f64.set(zInit.f64, (s * S + i) * D);
    }
  }
}

/**
 * After a supervision step: steps += 1; a slot halts at N_sup, or in training when q_halt > 0 (q_halt > q_continue
 * when `qContinue` is given: no_ACT_continue false) — either only once steps ≥ minHalt (the exploration minimum, 0
 * when not exploring). Evaluation always runs N_sup steps.
 */
export function actHalt(e: Engine, c: ActCarry, qHalt: Tensor, minHalt: Tensor, nSup: number, training: boolean, qContinue: Tensor | null = null): void {
  const B = c.halted.size;
  if (e.kind === 'gpu') {
    const buffers: (Tensor | null)[] = new Array(16).fill(null);
    buffers[7] = c.steps;
    buffers[12] = c.halted;
    buffers[13] = qHalt;
    buffers[14] = minHalt;
    buffers[15] = qContinue ?? qHalt; // read only where width = 1
    (e as GpuEngine).run({ shader: 'act', entry: 'halt', params: [B, qContinue ? 1 : 0, nSup, training ? 1 : 0, 0], buffers, workgroups: [Math.ceil(B / 64)] });
    return;
  }
  for (let b = 0; b < B; b++) {
    const s = c.steps.cpu[b] + 1;
    c.steps.cpu[b] = s;
    let h = s >= nSup;
    if (training && nSup > 1) h = (h || qHalt.f64[b] > (qContinue ? qContinue.f64[b] : 0)) && s >= minHalt.cpu[b];
    c.halted.cpu[b] = h ? 1 : 0;
  }
}

/**
 * HRM's Q-learning target for q_continue (no_ACT_continue false), from the q of one more supervision step on the
 * new carry: σ(q_halt') where this is the slot's last step (steps + 1 ≥ N_sup; `steps` as the carry holds them
 * before actHalt advances them), else σ(max(q_halt', q_continue')). A constant: f32 [B].
 */
export function actContinueTarget(e: Engine, steps: Tensor, nextHalt: Tensor, nextContinue: Tensor, nSup: number): Tensor {
  const B = steps.size;
  if (nextHalt.size !== B || nextContinue.size !== B) throw new Error(`actContinueTarget: ${nextHalt} and ${nextContinue} must hold ${B} logits`);
  const out = e.empty([B]);
  if (e.kind === 'gpu') {
    const buffers: (Tensor | null)[] = new Array(17).fill(null);
    buffers[7] = steps;
    buffers[13] = nextHalt;
    buffers[15] = nextContinue;
    buffers[16] = out;
    (e as GpuEngine).run({ shader: 'act', entry: 'continue_target', params: [B, 0, nSup, 0, 0], buffers, workgroups: [Math.ceil(B / 64)] });
    return out;
  }
  for (let b = 0; b < B; b++) {
    const h = nextHalt.f64[b], q = steps.cpu[b] + 1 >= nSup ? h : Math.max(h, nextContinue.f64[b]);
    out.f64[b] = 1 / (1 + Math.exp(-q));
  }
  return out;
}

/** The reference's exploration: with probability p a slot must run at least U{2..N_sup} steps, else 0. */
export function drawMinHalt(batch: number, nSup: number, p: number, rand: () => number): Uint32Array {
  return Uint32Array.from({ length: batch }, () => (rand() < p ? 2 + Math.floor(rand() * (nSup - 1)) : 0));
}
