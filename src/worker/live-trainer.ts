import type { DataSource } from '../data/source';
import type { Engine } from '../engine/engine';
import type { TrainConfig } from '../trm/config';
import { Trainer } from '../trm/trainer';

/** A Trainer whose learning rate the page can change while it runs, keeping the warmup/cosine shape. */
export class LiveTrainer extends Trainer {
  /** Multiplies the scheduled rate (and, through it, the puzzle-embedding rate). */
  lrScale = 1;

  constructor(engine: Engine, cfg: TrainConfig, data: DataSource) {
    super(engine, cfg, data);
  }

  override get lr(): number {
    return super.lr * this.lrScale;
  }

  /** The base rate in force: the config's, times the live scale. */
  get baseLr(): number {
    return this.cfg.optim.lr * this.lrScale;
  }

  set baseLr(lr: number) {
    this.lrScale = lr / this.cfg.optim.lr;
  }

  get emaDecay(): number {
    return this.ema?.decay ?? 0;
  }
}
