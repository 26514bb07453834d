import { Tape } from '../../src/autograd/tape';
import { createSource } from '../../src/data/sources';
import { relError } from '../../src/engine/rel-error';
import { mulberry32 } from '../../src/nn/init';
import { actRefill, createCarry, releaseCarry } from '../../src/ops/act';
import { copyInto } from '../../src/ops/elementwise';
import type { Tensor } from '../../src/engine/tensor';
import { Trainer } from '../../src/trm/trainer';
import { syncOurs, syncTfjs } from '../sync';
import { measurePair, type SamplePlan } from '../harness';
import { TfjsTrainer, weightsOf } from '../tfjs/trm';
import type { BenchContext, BenchRow } from '../types';
import type { BenchConfig } from './configs';

/**
 * Inference through the whole recursion: N_sup supervision steps of T·(n+1) network calls each, without
 * gradients, from a fresh carry, on `batch` puzzles; both sides return the last step's logits.
 */
export async function benchInference(ctx: BenchContext, bc: BenchConfig, batch: number, plan: SamplePlan): Promise<BenchRow> {
  const { engine: e, tf, counters } = ctx;
  const cfg = { ...bc.cfg, optim: { ...bc.cfg.optim, batchSize: batch } };
  const m = cfg.model;
  const trainer = await counters.as('ours', () => new Trainer(e, cfg, createSource(cfg.data, cfg.seed)));
  const L = trainer.data.info.seqLen;
  const b = trainer.data.trainBatch(batch, mulberry32(7));
  const theirs = await counters.as('tfjs', async () => new TfjsTrainer(tf, { cfg, info: trainer.data.info, weights: await weightsOf(trainer) }));
  const { carry, input } = await counters.as('ours', () => ({
    carry: createCarry(e, batch, L, trainer.model.dims.positions, m.hidden),
    input: {
      inputs: e.keep(e.fromArray(b.inputs, [batch, L], 'i32')),
      labels: e.keep(e.fromArray(b.labels, [batch, L], 'i32')),
      puzzleIds: e.keep(e.fromArray(b.puzzleIds, [batch], 'i32')),
    },
  }));
  const ones = new Uint32Array(batch).fill(1);
  const tape = new Tape(e);
  const weights = trainer.arena.params;
  /** Record the whole recursion; returns the last logits (kept). */
  const runOurs = (): Tensor => {
    e.write(carry.halted, ones);
    actRefill(e, carry, input, trainer.buffers.yInit, trainer.buffers.zInit);
    let logits: Tensor | null = null;
    for (let s = 0; s < m.nSup; s++) {
      if (logits) e.release(logits);
      logits = tape.noGrad(() => e.scope(() => {
        const out = trainer.model.step(tape, weights, trainer.buffers, carry);
        copyInto(e, carry.y, out.y);
        copyInto(e, carry.z, out.z);
        return e.keep(out.logits);
      }));
    }
    return logits!;
  };
  try {
    const ol = runOurs();
    const tl = theirs.infer(b, { weights: 'live' });
    const [got, want] = await Promise.all([e.read(ol), tl.data()]);
    e.release(ol);
    tl.dispose();
    const diff = relError(got, want as Float32Array);
    const timing = await measurePair(counters, {
      ours: { run: () => e.release(runOurs()), sync: () => syncOurs(e) },
      tfjs: { run: () => theirs.infer(b, { weights: 'live' }).dispose(), sync: () => syncTfjs(tf, e.device) },
    }, plan);
    return {
      group: 'infer',
      name: `inference ${bc.name} (${m.variant}) B=${batch}: ${m.nSup}×${m.T}×(${m.n}+1) net calls`,
      ours: { ...timing.ours, peakBytes: counters.peakBytes('ours') },
      tfjs: { ...timing.tfjs, peakBytes: counters.peakBytes('tfjs') },
      speedup: timing.tfjs.ms / timing.ours.ms,
      check: { what: 'last-step logits (normwise, max norm)', maxRelDiff: diff, tolerance: 1e-3, pass: diff <= 1e-3 },
    };
  } finally {
    releaseCarry(e, carry);
    for (const t of Object.values(input)) e.release(t);
    trainer.release();
    theirs.dispose();
  }
}
