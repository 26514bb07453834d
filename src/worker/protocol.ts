// The typed message protocol between the page and the training/inference worker. The worker owns the
// engine (WebGPU, or the CPU twin where WebGPU is missing), the trainer and the data; the page only renders.
import type { DatasetInfo, Example } from '../data/dataset';
import type { ArcTask } from '../data/grid';
import type { ArcTaskSplit } from '../data/sources';
import type { EngineLimits } from '../engine/engine';
import type { TrainConfig } from '../trm/config';
import type { ProbeRequest, ProbeResult } from '../probes';
import type { FullEvalResult } from '../trm/evaluate';
import type { RecursionTrace } from '../trm/trace';
import type { TrainMetrics } from '../trm/trainer';
import type { Throughput } from './throughput';

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
  | { type: 'adapt'; requestId: number; task: ArcTask; steps: number; wholeNetwork: boolean }
  /**
   * Solve an ARC task's test inputs in every augmented version and vote (pass@2 candidates): with the run's model
   * (a blank puzzle embedding: the task is new to it), with the model of the last 'adapt' on this task, or (`rows`)
   * a reference checkpoint's own versions of the task on their rows.
   */
  | { type: 'solve-arc'; requestId: number; task: ArcTask; adapted?: boolean; rows?: TaskRows }
  /** A research probe (src/probes) on the run's model. */
  | { type: 'probe'; requestId: number; probe: ProbeRequest }
  /** Time a few training steps of a small fixed model on this engine (src/worker/throughput.ts). */
  | { type: 'throughput'; requestId: number };

/**
 * A reference ARC checkpoint's versions of a task as its dataset's identifiers.json names them: each version's name
 * (which encodes its augmentation) and its row of the checkpoint's puzzle embedding. `embeddings` ([versions,
 * puzzleEmbDim] float32, transferred) carries those rows when the table stayed in the file and the model holds
 * only the blank row; without it the rows index the model's own table.
 */
export interface TaskRows {
  versions: { name: string; row: number }[];
  embeddings?: Float32Array;
}

export type LiveMetrics = TrainMetrics & { samplesPerSec: number; etaSec: number };

/** One voted answer to an ARC test input. */
export interface ArcCandidate {
  /** The output grid (rows of colours). */
  grid: number[][];
  /** Augmented versions whose prediction, mapped back, is this grid. */
  votes: number;
  /** Mean σ(q_halt) of those predictions (breaks ties between equal vote counts). */
  confidence: number;
}

/** Per test input, up to two candidates, best first (pass@2); `versions`: how many augmented versions voted. */
export interface ArcSolution {
  candidates: ArcCandidate[][];
  versions: number;
}

export type WorkerEvent =
  /** `limits`: what the engine can hold, for the page's memory estimate of the form's config. */
  | { type: 'ready'; backend: Backend; adapter: string; features: string[]; fallbackReason?: string; limits: EngineLimits; requestId?: number }
  /** `trainable` is false for an ARC checkpoint loaded without its tasks; `live` holds the live settings in force. */
  | { type: 'run-created'; runId: string; config: TrainConfig; info: DatasetInfo; paramCount: number; step: number; trainable: boolean; live: { lr: number; ema: number }; requestId?: number }
  | { type: 'state'; runId: string; state: RunState; step: number; steps: number }
  | { type: 'metrics'; runId: string; metrics: LiveMetrics }
  | { type: 'eval'; runId: string; step: number; result: FullEvalResult; requestId?: number }
  | { type: 'checkpoint'; requestId: number; bytes: ArrayBuffer }
  | { type: 'trace'; requestId: number; trace: RecursionTrace }
  /**
   * While a trace runs: after each supervision step, the frames and step summaries computed since the last
   * progress event (the other fields are the whole trace's). The 'trace' answer still holds the whole trace.
   */
  | { type: 'trace-progress'; requestId: number; trace: RecursionTrace }
  | { type: 'examples'; requestId: number; examples: Example[] }
  | { type: 'adapt-progress'; requestId: number; step: number; steps: number; loss: number }
  /** The adapted model's voted answers; `puzzleId`: the task's row in its puzzle embedding (trace with it). */
  | ({ type: 'adapt-done'; requestId: number; puzzleId: number } & ArcSolution)
  | ({ type: 'arc-solved'; requestId: number } & ArcSolution)
  | { type: 'probe'; requestId: number; result: ProbeResult }
  | { type: 'throughput'; requestId: number; throughput: Throughput }
  | { type: 'memory'; bytes: number; buffers: number; liveTensors: number }
  | { type: 'error'; message: string; requestId?: number };
