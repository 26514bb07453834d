import type * as TF from '@tensorflow/tfjs-core';
import type { GpuHandle } from '../src/gpu/device';
import type { GpuEngine } from '../src/gpu/engine';
import type { GpuCounters } from './counters';
import type { Timing } from './harness';

export type Tf = typeof TF;

/** Everything a workload needs: our engine and tfjs on the same GPUDevice, and the counters wrapped around it. */
export interface BenchContext {
  handle: GpuHandle;
  engine: GpuEngine;
  tf: Tf;
  counters: GpuCounters;
  /** Small sizes and few samples: the CI smoke run. */
  quick: boolean;
  /** Sizes are chosen per adapter: the software adapter runs at ~0.1–1 GFLOP/s. */
  software: boolean;
  /** Our engine was made to pick its software-adapter kernels (--software-kernels). */
  softwareKernels: boolean;
  /** The device's FP32 peak in GFLOP/s where known (a GPU), for the fraction-of-peak column. */
  peakGflops: number | null;
  /** Run only the rows whose name contains this text. */
  only?: string;
  /** Overrides how many training steps have their losses compared. */
  checkSteps?: number;
  log(line: string): void;
}

/** One side of a row: its timing, plus what the workload derives from it. */
export interface RowSide extends Timing {
  gflops?: number;
  peakFraction?: number;
  /** Bytes of GPU buffers the implementation held at its largest. */
  peakBytes?: number;
}

/** How the row proves both sides computed the same thing. */
export interface RowCheck {
  what: string;
  maxRelDiff: number;
  tolerance: number;
  pass: boolean;
  /**
   * Each side's distance from our float64 CPU twin on the same check (same measure as maxRelDiff), where the
   * twin ran: tells which side a disagreement comes from, or that float32 itself is that far from exact.
   * `rounding`: the twin against itself started one float32 rounding apart (bench/rounding.ts), the same
   * measure again: how far the model alone carries a rounding over the check.
   */
  reference?: { ours: number; tfjs: number; rounding?: number };
  /**
   * Training rows whose free-running losses part ways: the same steps rerun with tfjs taking over our whole state
   * (weights, moments, EMA, carry) before each step, so each step is compared from one shared state. Worst loss
   * relative difference, and the worst updated-weight tensor (relError) with its name.
   */
  resynced?: { steps: number; maxRelDiff: number; weights: number; weightsTensor: string; pass: boolean };
  /** Per-step values of both sides, where the check runs over steps. */
  series?: { ours: number[]; tfjs: number[]; cpu?: number[]; cpuNudged?: number[] };
}

export interface BenchRow {
  group: 'matmul' | 'train' | 'infer';
  name: string;
  /** A TRM-shaped matmul (the acceptance rows), as opposed to the square sweep. */
  trm?: boolean;
  /** FLOPs of one iteration, where counted. */
  flops?: number;
  ours: RowSide;
  tfjs: RowSide;
  /** tfjs ms / ours ms: above 1 means ours is faster. */
  speedup: number;
  check?: RowCheck;
}

export interface BenchResult {
  date: string;
  mode: 'quick' | 'full';
  /** The --only filter, when rows were left out. */
  only?: string;
  softwareKernels?: boolean;
  runtime: string;
  adapter: { description: string; vendor: string; architecture: string; device: string; software: boolean; features: string[] };
  peakGflops: number | null;
  tfjsVersion: string;
  rows: BenchRow[];
  notes: string[];
}
