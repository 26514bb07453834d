// How fast this device trains, measured once on the worker's own engine: a few real training steps of a small
// fixed model on random tokens, turned into FLOP/s with the cost model, so the page can estimate any config.
import type { DatasetInfo } from '../data/dataset';
import type { DataSource } from '../data/source';
import type { Engine } from '../engine/engine';
import type { TrainConfig } from '../trm/config';
import { stepCost } from '../trm/cost';
import { dataShapeOf } from '../trm/memory';
import { getPreset } from '../trm/presets';
import { Trainer } from '../trm/trainer';
import type { Post } from './core';

/** What the measurement found: the rate, and the model and step time it came from (shown beside the estimate). */
export interface Throughput {
  flopsPerSec: number;
  secPerStep: number;
  /** The measured model, in words. */
  model: string;
}

/** Timed steps after one untimed warm-up step (which compiles the pipelines). */
const TIMED_STEPS = 3;

/**
 * The sudoku-4x4 preset's network at batch 8 with one cycle of one latent update (about 30 MFLOP a step): the
 * same kernels as every MLP preset, small enough that the software adapter finishes in seconds.
 */
export function throughputConfig(): TrainConfig {
  const cfg = getPreset('sudoku-4x4');
  cfg.model = { ...cfg.model, T: 1, n: 1, nSup: 1 };
  cfg.optim = { ...cfg.optim, batchSize: 8 };
  return cfg;
}

/** Random tokens of the config's shape: the arithmetic does not depend on the values. */
function randomSource(cfg: TrainConfig): DataSource {
  const info: DatasetInfo = { name: 'random tokens (throughput)', ...dataShapeOf(cfg.data) };
  const tokens = (n: number, rand: () => number) => Int32Array.from({ length: n }, () => 1 + Math.floor(rand() * (info.vocabSize - 1)));
  return {
    info,
    trainBatch: (B, rand) => ({ inputs: tokens(B * info.seqLen, rand), labels: tokens(B * info.seqLen, rand), puzzleIds: new Int32Array(B) }),
    evalExamples: () => [],
  };
}

export async function measureThroughput(engine: Engine, cfg = throughputConfig()): Promise<Throughput> {
  const source = randomSource(cfg);
  const trainer = new Trainer(engine, cfg, source);
  try {
    await trainer.trainStep(true);
    const t0 = performance.now();
    // Steps queue in order, so the last one's readback waits for all of them.
    for (let i = 1; i < TIMED_STEPS; i++) trainer.trainStep(false);
    await trainer.trainStep(true);
    const secPerStep = (performance.now() - t0) / 1000 / TIMED_STEPS;
    const m = cfg.model;
    return {
      flopsPerSec: stepCost(cfg, source.info).total / secPerStep,
      secPerStep,
      model: `${m.variant === 'mlp' ? 'MLP' : 'attention'} D ${m.hidden}, batch ${cfg.optim.batchSize}`,
    };
  } finally {
    trainer.release();
  }
}

/** Answer a 'throughput' request, between training chunks in the worker's queue of engine jobs. */
export async function answerThroughput(requestId: number, engine: Engine, exclusive: <T>(fn: () => Promise<T>) => Promise<T>, post: Post): Promise<void> {
  const throughput = await exclusive(() => measureThroughput(engine));
  post({ type: 'throughput', requestId, throughput });
}
