import { Trainer } from '../trm/trainer';

/** A Trainer whose learning rate the page can change while it runs, keeping the warmup/cosine shape. */
export class LiveTrainer extends Trainer {
  /** Multiplies the scheduled rate (and, through it, the puzzle-embedding rate). */
  lrScale = 1;

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
