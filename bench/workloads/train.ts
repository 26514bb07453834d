import { createSource } from '../../src/data/sources';
import { CpuEngine } from '../../src/engine/cpu';
import { Trainer } from '../../src/trm/trainer';
import { nudgeWeights } from '../rounding';
import { syncOurs, syncTfjs } from '../sync';
import { measurePair, type SamplePlan } from '../harness';
import { makeFeed } from '../tfjs/feed';
import { stateOf, TfjsTrainer, weightsOf, worstWeightDiff } from '../tfjs/trm';
import type * as TF from '@tensorflow/tfjs-core';
import type { BenchContext, BenchRow, RowCheck, Tf } from '../types';
import type { BenchConfig } from './configs';

/** The batch mean of tfjs's per-sample losses, read back; disposes both tensors. */
async function meanLoss(tf: Tf, perSample: TF.Tensor): Promise<number> {
  const mean = tf.mean(perSample);
  const v = (await mean.data())[0];
  tf.dispose([mean, perSample]);
  return v;
}

/** Relative difference of two losses. */
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

/**
 * One full training step (the recursion forward, backward, optimizer, EMA, carry) on both sides from the same
 * initial weights and batches. First `checkSteps` steps with their losses read back and compared; then the timed
 * samples continue training without any readback. With `cpuSteps`, our float64 CPU twin trains alongside for
 * that many steps: a reference both float32 implementations are measured against; and a second twin, nudged one
 * float32 rounding (bench/rounding.ts), shows how far the model alone carries such a difference.
 */
export async function benchTraining(ctx: BenchContext, bc: BenchConfig, checkSteps: number, plan: SamplePlan, cpuSteps = 0): Promise<BenchRow> {
  const { engine: e, tf, counters } = ctx;
  const cfg = bc.cfg;
  const ours = await counters.as('ours', () => new Trainer(e, cfg, createSource(cfg.data, cfg.seed)));
  if (ours.data.info.seqLen !== bc.seqLen) throw new Error(`${bc.name}: seqLen ${ours.data.info.seqLen}, expected ${bc.seqLen}`);
  const feed = makeFeed(cfg, createSource(cfg.data, cfg.seed));
  const weights = await weightsOf(ours);
  const theirs = await counters.as('tfjs', () => new TfjsTrainer(tf, { cfg, info: ours.data.info, weights }));
  const cpu = new CpuEngine();
  const twin = cpuSteps > 0 ? new Trainer(cpu, cfg, createSource(cfg.data, cfg.seed)) : null;
  const nudged = cpuSteps > 0 ? new Trainer(cpu, cfg, createSource(cfg.data, cfg.seed)) : null;
  try {
    if (nudged) await nudgeWeights(cpu, nudged);
    let worst = 0;
    const series: NonNullable<RowCheck['series']> = { ours: [], tfjs: [], ...(twin ? { cpu: [], cpuNudged: [] } : {}) };
    for (let s = 0; s < checkSteps; s++) {
      const m = await counters.as('ours', () => ours.trainStep(true)!);
      const loss = await counters.as('tfjs', async () => {
        const f = feed();
        return meanLoss(tf, theirs.step(f.batch, f.minHalt, f.lr));
      });
      worst = Math.max(worst, rel(loss, m.loss));
      series.ours.push(m.loss);
      series.tfjs.push(loss);
      const ref = twin && s < cpuSteps ? (await twin.trainStep(true))!.loss : null;
      if (ref !== null) {
        series.cpu!.push(ref);
        series.cpuNudged!.push((await nudged!.trainStep(true))!.loss);
      }
      if (s === 0 || s === checkSteps - 1 || s % 10 === 9) {
        const vsCpu = ref === null ? '' : `, float64 twin ${ref.toFixed(6)} (ours ${rel(m.loss, ref).toExponential(1)}, tfjs ${rel(loss, ref).toExponential(1)}, nudged twin ${rel(series.cpuNudged!.at(-1)!, ref).toExponential(1)} off)`;
        ctx.log(`  ${bc.name} step ${s + 1}: loss ours ${m.loss.toFixed(6)} tfjs ${loss.toFixed(6)}${vsCpu}`);
      }
    }
    const timing = await measurePair(counters, {
      ours: { run: () => void ours.trainStep(false), sync: () => syncOurs(e) },
      tfjs: {
        run: () => {
          const f = feed();
          theirs.step(f.batch, f.minHalt, f.lr).dispose();
        },
        sync: () => syncTfjs(tf, e.device),
      },
    }, plan);
    const B = cfg.optim.batchSize;
    const worstVs = (xs: number[], ref: number[]) => Math.max(...ref.map((r, i) => rel(xs[i], r)));
    const reference = series.cpu?.length ? { ours: worstVs(series.ours, series.cpu), tfjs: worstVs(series.tfjs, series.cpu), rounding: worstVs(series.cpuNudged!, series.cpu) } : undefined;
    const row: BenchRow = {
      group: 'train',
      name: `train step ${bc.name} (${cfg.model.variant}, B=${B}, T=${cfg.model.T}, n=${cfg.model.n})`,
      ours: { ...timing.ours, peakBytes: counters.peakBytes('ours') },
      tfjs: { ...timing.tfjs, peakBytes: counters.peakBytes('tfjs') },
      speedup: timing.tfjs.ms / timing.ours.ms,
      check: { what: `mean loss, first ${checkSteps} steps (max relative difference)`, maxRelDiff: worst, tolerance: 1e-3, pass: worst <= 1e-3, ...(reference ? { reference } : {}), series },
    };
    // After the footprints are taken: the rerun holds a second pair of trainers.
    if (worst > 1e-3) row.check!.resynced = await resynced(ctx, bc, checkSteps);
    return row;
  } finally {
    ours.release();
    theirs.dispose();
    twin?.release();
    nudged?.release();
  }
}

/**
 * Free-running losses part ways where training amplifies rounding (the MLP variant, even in float64). To tell
 * that from a difference in what is computed, rerun the same steps from the start with tfjs taking over our whole
 * state before each one: every step is then compared from one shared state, on its loss and its updated weights.
 */
async function resynced(ctx: BenchContext, bc: BenchConfig, steps: number): Promise<NonNullable<RowCheck['resynced']>> {
  const { engine: e, tf } = ctx;
  const cfg = bc.cfg;
  const ours = new Trainer(e, cfg, createSource(cfg.data, cfg.seed));
  const feed = makeFeed(cfg, createSource(cfg.data, cfg.seed));
  const theirs = new TfjsTrainer(tf, { cfg, info: ours.data.info, weights: await weightsOf(ours) });
  try {
    let loss = 0, weights = 0, tensor = '';
    for (let s = 0; s < steps; s++) {
      theirs.load(await stateOf(ours));
      const m = (await ours.trainStep(true))!;
      const f = feed();
      const v = await meanLoss(tf, theirs.step(f.batch, f.minHalt, f.lr));
      loss = Math.max(loss, rel(v, m.loss));
      const [name, diff] = worstWeightDiff(await theirs.read('live'), await weightsOf(ours));
      if (diff > weights) [tensor, weights] = [name, diff];
    }
    ctx.log(`  ${bc.name} re-synced each step: worst loss difference ${loss.toExponential(1)}, updated weights ${weights.toExponential(1)} (${tensor}) over ${steps} steps`);
    return { steps, maxRelDiff: loss, weights, weightsTensor: tensor, pass: loss <= 1e-3 };
  } finally {
    ours.release();
    theirs.dispose();
  }
}
