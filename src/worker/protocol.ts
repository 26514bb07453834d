// The typed message protocol between the page and the training/inference worker. The worker owns the
// engine (WebGPU, or the CPU twin where WebGPU is missing), the trainer and the data; the page only renders.
import type { DatasetInfo, Example } from '../data/dataset';
import type { ArcTask } from '../data/grid';
import type { ArcTaskSplit } from '../data/sources';
import type { TrainConfig } from '../trm/config';
import type { FullEvalResult } from '../trm/evaluate';
import type { RecursionTrace } from '../trm/trace';
import type { TrainMetrics } from '../trm/trainer';

export type RunState = 'idle' | 'running' | 'paused' | 'done' | 'error';

export type Backend = 'gpu' | 'cpu';

export type WorkerRequest =
  /** Open the engine: WebGPU when present ('auto'), else the CPU fallback. */
  | { type: 'init'; backend: 'auto' | Backend; requestId?: number }
  /** Build a fresh model, optimizer and data for a config (ARC configs bring their tasks). */
  | { type: 'create-run'; runId: string; config: TrainConfig; arcTasks?: ArcTaskSplit; requestId?: number }
  /**
   * Replace the current run by a checkpoint (its config and weights; training can continue). An ARC checkpoint
   * loaded without its tasks can still be traced and solved, not trained.
   */
  | { type: 'load-checkpoint'; runId: string; bytes: ArrayBuffer; name: string; arcTasks?: ArcTaskSplit; requestId?: number }
  | { type: 'start' }
  | { type: 'pause' }
  | { type: 'stop' }
  /**
   * Settings that apply to the running optimizer without a restart: `lr` replaces the base learning rate (the
   * warmup/cosine shape is kept and the puzzle-embedding rate scales with it); `ema` is the EMA decay.
   */
  | { type: 'set-live'; lr?: number; ema?: number }
  | { type: 'save-checkpoint'; requestId: number }
  /**
   * Run the model on one example, capturing every recursion step; `adapted`: with the model of the last 'adapt'
   * (the example carrying the puzzle id from 'adapt-done') instead of the run's.
   */
  | { type: 'trace'; requestId: number; example: Example; adapted?: boolean }
  /** The first `limit` held-out (or training) examples of the run's data, with targets, for the viewer. */
  | { type: 'examples'; requestId: number; split: 'eval' | 'train'; limit: number }
  | { type: 'evaluate'; requestId: number; limit?: number }
  /** ARC test-time training of the task's puzzle embedding (optionally the whole network) on its demonstrations. */
  | { type: 'adapt'; requestId: number; task: ArcTask; steps: number; wholeNetwork: boolean };

export type LiveMetrics = TrainMetrics & { samplesPerSec: number; etaSec: number };

export type WorkerEvent =
  | { type: 'ready'; backend: Backend; adapter: string; features: string[]; fallbackReason?: string; requestId?: number }
  /** `trainable` is false for an ARC checkpoint loaded without its tasks; `live` holds the live settings in force. */
  | { type: 'run-created'; runId: string; config: TrainConfig; info: DatasetInfo; paramCount: number; step: number; trainable: boolean; live: { lr: number; ema: number }; requestId?: number }
  | { type: 'state'; runId: string; state: RunState; step: number; steps: number }
  | { type: 'metrics'; runId: string; metrics: LiveMetrics }
  | { type: 'eval'; runId: string; step: number; result: FullEvalResult; requestId?: number }
  | { type: 'checkpoint'; requestId: number; bytes: ArrayBuffer }
  | { type: 'trace'; requestId: number; trace: RecursionTrace }
  | { type: 'examples'; requestId: number; examples: Example[] }
  | { type: 'adapt-progress'; requestId: number; step: number; steps: number; loss: number }
  /** `candidates`: the voted test-output grids (rows of colours), best first, up to two per test input (pass@2). */
  | { type: 'adapt-done'; requestId: number; puzzleId: number; candidates: number[][][][] }
  | { type: 'memory'; bytes: number; buffers: number; liveTensors: number }
  | { type: 'error'; message: string; requestId?: number };
