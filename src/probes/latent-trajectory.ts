/**
 * Latent trajectory: for one puzzle, how far the latent z and the answer y move at every update of the recursion
 * (n latent updates and one answer update per cycle, T cycles per supervision step, N_sup steps), as the L2 norm of
 * the change over every position and channel. Every state leaves an RMSNorm without gain, so its own norm is
 * always √(S·D) and the change alone is the measure. Shrinking changes mean the recursion settles on a fixed point;
 * changes that stay large or repeat mean it keeps moving or cycles.
 */
import { Tape } from '../autograd/tape';
import type { Example } from '../data/dataset';
import { stackExamples } from '../data/source';
import { actRefill, createCarry, releaseCarry } from '../ops/act';
import { addInto, copy, copyInto } from '../ops/elementwise';
import { gradNorm } from '../ops/reduce';
import type { Trainer } from '../trm/trainer';

export interface TrajectoryPoint {
  /** Supervision step 1..N_sup, cycle 1..T, update 1..n for z and n + 1 for y (as the recursion viewer numbers them). */
  supStep: number;
  cycle: number;
  update: number;
  kind: 'z' | 'y';
  /** ‖state after − state before‖₂. */
  delta: number;
}

export interface LatentTrajectory {
  nSup: number;
  T: number;
  n: number;
  points: TrajectoryPoint[];
}

export async function latentTrajectory(trainer: Trainer, example: Example): Promise<LatentTrajectory> {
  const e = trainer.engine, m = trainer.cfg.model, L = trainer.data.info.seqLen;
  const weights = trainer.evalWeights();
  const c = createCarry(e, 1, L, trainer.model.dims.positions, m.hidden);
  const b = stackExamples([example], L);
  const batch = e.scope(() => ({ inputs: e.fromArray(b.inputs, [1, L], 'i32'), labels: e.fromArray(b.labels, [1, L], 'i32'), puzzleIds: e.fromArray(b.puzzleIds, [1], 'i32') }));
  actRefill(e, c, batch, trainer.buffers.yInit, trainer.buffers.zInit);
  // Each state as it was before its next update; y and z carry over from one supervision step to the next.
  const before = { y: e.keep(copy(e, c.y)), z: e.keep(copy(e, c.z)) };
  const pending: { point: Omit<TrajectoryPoint, 'delta'>; delta: Promise<ArrayLike<number>> }[] = [];
  const tape = new Tape(e);
  try {
    for (let s = 0; s < m.nSup; s++) {
      tape.noGrad(() => e.scope(() => {
        const out = trainer.model.step(tape, weights, trainer.buffers, c, (ev) => {
          const d = copy(e, ev.value);
          addInto(e, d, before[ev.kind], -1);
          pending.push({ point: { supStep: s + 1, cycle: ev.cycle + 1, update: ev.update + 1, kind: ev.kind }, delta: e.read(gradNorm(e, d)) });
          e.release(d);
          copyInto(e, before[ev.kind], ev.value);
        });
        copyInto(e, c.y, out.y);
        copyInto(e, c.z, out.z);
      }));
      e.flush();
    }
    const points = await Promise.all(pending.map(async (p) => ({ ...p.point, delta: (await p.delta)[0] })));
    return { nSup: m.nSup, T: m.T, n: m.n, points };
  } finally {
    for (const t of [...Object.values(batch), before.y, before.z]) e.release(t);
    releaseCarry(e, c);
  }
}
