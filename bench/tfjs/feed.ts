import type { Batch, DataSource } from '../../src/data/source';
import { mulberry32 } from '../../src/nn/init';
import { drawMinHalt } from '../../src/ops/act';
import { cosineWarmupLr } from '../../src/ops/optim';
import type { TrainConfig } from '../../src/trm/config';

export interface FeedItem {
  batch: Batch;
  minHalt: Uint32Array;
  lr: number;
}

/**
 * The inputs of successive Trainer.trainStep calls, drawn in the same order from the same stream: batch, then
 * the exploration minimums, from mulberry32(seed + 1); then the lr at the incremented step. Given a source
 * built like the Trainer's, the n-th call returns exactly what the Trainer's n-th step uses.
 */
export function makeFeed(cfg: TrainConfig, data: DataSource): () => FeedItem {
  const rand = mulberry32(cfg.seed + 1);
  const m = cfg.model, o = cfg.optim, B = o.batchSize;
  let step = 0;
  return () => {
    const batch = data.trainBatch(B, rand);
    const minHalt = drawMinHalt(B, m.nSup, m.haltExplorationProb, rand);
    step++;
    const lr = cosineWarmupLr(step, { baseLr: o.lr, warmupSteps: o.warmupSteps, totalSteps: cfg.steps, minRatio: o.schedule === 'constant' ? 1 : o.lrMinRatio });
    return { batch, minHalt, lr };
  };
}
