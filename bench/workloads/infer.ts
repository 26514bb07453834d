import type { Batch } from '../../src/data/source';
import { createSource } from '../../src/data/sources';
import { CpuEngine } from '../../src/engine/cpu';
import type { Engine } from '../../src/engine/engine';
import { relError } from '../../src/engine/rel-error';
import { mulberry32 } from '../../src/nn/init';
import { createCarry, releaseCarry } from '../../src/ops/act';
import type { Tensor } from '../../src/engine/tensor';
import type { TrainConfig } from '../../src/trm/config';
import { Trainer } from '../../src/trm/trainer';
import { nudgeWeights } from '../rounding';
import { syncOurs, syncTfjs } from '../sync';
import { measurePair, type SamplePlan } from '../harness';
import { TfjsTrainer, weightsOf } from '../tfjs/trm';
import type { BenchContext, BenchRow, RowCheck } from '../types';
import type { BenchConfig } from './configs';

/** The recursion on one engine: a Trainer's initial weights, a carry and the batch, resident on that engine. */
interface Recursion {
  trainer: Trainer;
  /** Record the whole recursion; returns the last logits (kept: the caller releases them). */
  run(): Tensor;
  release(): void;
}

function recursionOn(e: Engine, cfg: TrainConfig, b: Batch): Recursion {
  const m = cfg.model, batch = b.puzzleIds.length;
  const trainer = new Trainer(e, cfg, createSource(cfg.data, cfg.seed));
  const L = trainer.data.info.seqLen;
  const carry = createCarry(e, batch, L, trainer.model.dims.positions, m.hidden);
  const input = {
    inputs: e.keep(e.fromArray(b.inputs, [batch, L], 'i32')),
    labels: e.keep(e.fromArray(b.labels, [batch, L], 'i32')),
    puzzleIds: e.keep(e.fromArray(b.puzzleIds, [batch], 'i32')),
  };
  const run = (): Tensor => trainer.recurse(carry, input, trainer.arena.params, (out, s) => (s === m.nSup - 1 ? e.keep(out.logits) : null))[m.nSup - 1]!;
  const release = () => {
    releaseCarry(e, carry);
    for (const t of Object.values(input)) e.release(t);
    trainer.release();
  };
  return { trainer, run, release };
}

/**
 * Inference through the whole recursion: N_sup supervision steps of T·(n+1) network calls each, without
 * gradients, from a fresh carry, on `batch` puzzles; both sides return the last step's logits. With
 * `reference`, our float64 CPU twin runs the same recursion, and the check reports each side's distance from it
 * and that of the twin nudged one float32 rounding.
 */
export async function benchInference(ctx: BenchContext, bc: BenchConfig, batch: number, plan: SamplePlan, reference = false): Promise<BenchRow> {
  const { engine: e, tf, counters } = ctx;
  const cfg = { ...bc.cfg, optim: { ...bc.cfg.optim, batchSize: batch } };
  const m = cfg.model;
  const b = createSource(cfg.data, cfg.seed).trainBatch(batch, mulberry32(7));
  const ours = await counters.as('ours', () => recursionOn(e, cfg, b));
  const theirs = await counters.as('tfjs', async () => new TfjsTrainer(tf, { cfg, info: ours.trainer.data.info, weights: await weightsOf(ours.trainer) }));
  try {
    const ol = ours.run();
    const tl = theirs.infer(b, { weights: 'live' });
    const [got, want] = await Promise.all([e.read(ol), tl.data()]);
    e.release(ol);
    tl.dispose();
    const diff = relError(got, want as Float32Array);
    let vsFloat64: RowCheck['reference'];
    if (reference) {
      const cpu = new CpuEngine();
      const twin = recursionOn(cpu, cfg, b);
      const exact = await cpu.read(twin.run());
      // run() starts from a fresh carry, so the same twin, nudged, reruns the recursion.
      await nudgeWeights(cpu, twin.trainer);
      const nudged = await cpu.read(twin.run());
      twin.release();
      vsFloat64 = { ours: relError(got, exact), tfjs: relError(want as Float32Array, exact), rounding: relError(nudged, exact) };
    }
    const timing = await measurePair(counters, {
      ours: { run: () => e.release(ours.run()), sync: () => syncOurs(e) },
      tfjs: { run: () => theirs.infer(b, { weights: 'live' }).dispose(), sync: () => syncTfjs(tf, e.device) },
    }, plan);
    return {
      group: 'infer',
      name: `inference ${bc.name} (${m.variant}) B=${batch}: ${m.nSup}×${m.T}×(${m.n}+1) net calls`,
      ours: { ...timing.ours, peakBytes: counters.peakBytes('ours') },
      tfjs: { ...timing.tfjs, peakBytes: counters.peakBytes('tfjs') },
      speedup: timing.tfjs.ms / timing.ours.ms,
      check: { what: 'last-step logits (normwise, max norm)', maxRelDiff: diff, tolerance: 1e-3, pass: diff <= 1e-3, ...(vsFloat64 ? { reference: vsFloat64 } : {}) },
    };
  } finally {
    ours.release();
    theirs.dispose();
  }
}
