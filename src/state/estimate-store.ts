// How long the form's config will take to train on this device, before it starts: the worker measures its
// engine's FLOP rate once per page load and backend (src/worker/throughput.ts); cost.ts counts the config's FLOPs.
import { createStore, useStore } from 'zustand';
import { userMessage } from '../io/user-error';
import type { TrainConfig } from '../trm/config';
import { runCost } from '../trm/cost';
import { dataShapeOf } from '../trm/memory';
import type { TrainClient } from '../worker/client';
import type { Backend } from '../worker/protocol';
import type { Throughput } from '../worker/throughput';

export type Measurement = { status: 'measuring' } | { status: 'ready'; throughput: Throughput } | { status: 'error'; message: string };

interface EstimateState {
  /** One measurement per backend the engine has run on this page load. */
  byBackend: Partial<Record<Backend, Measurement>>;
}

const store = createStore<EstimateState>(() => ({ byBackend: {} }));

/** Measure `backend` once (later calls return at once); the worker runs it between training chunks. */
export async function measureThroughput(backend: Backend, client: Pick<TrainClient, 'request'>): Promise<void> {
  if (store.getState().byBackend[backend]) return;
  const set = (m: Measurement) => store.setState((s) => ({ byBackend: { ...s.byBackend, [backend]: m } }));
  set({ status: 'measuring' });
  try {
    set({ status: 'ready', throughput: (await client.request({ type: 'throughput' })).throughput });
  } catch (err) {
    set({ status: 'error', message: userMessage(err, 'the throughput measurement') });
  }
}

export function useMeasurement(backend: Backend | null): Measurement | undefined {
  return useStore(store, (s) => (backend ? s.byBackend[backend] : undefined));
}

/** Runs longer than this get a plain warning beside Start. */
export const LONG_RUN_SEC = 3600;

export interface RunEstimate {
  secPerStep: number;
  /** The whole run: its steps and its scheduled evaluations. */
  seconds: number;
  long: boolean;
}

/** Seconds `cfg` takes at the measured rate (ARC configs: their largest possible puzzle-id count, as the memory estimate). */
export function estimateRun(cfg: TrainConfig, throughput: Throughput): RunEstimate {
  const cost = runCost(cfg, dataShapeOf(cfg.data));
  const seconds = cost.total / throughput.flopsPerSec;
  return { secPerStep: cost.step.total / throughput.flopsPerSec, seconds, long: seconds > LONG_RUN_SEC };
}
