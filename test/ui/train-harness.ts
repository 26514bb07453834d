import type { StoreApi } from 'zustand';
import type { ByteStore } from '../../src/io/browser-storage';
import type { TrainStore } from '../../src/state/train-store';
import { getPreset } from '../../src/trm/presets';
import type { TrainConfig } from '../../src/trm/config';
import { WorkerClient, type WorkerPort } from '../../src/worker/client';
import { WorkerCore } from '../../src/worker/core';
import { cpuEngine } from '../../src/worker/engines';
import type { WorkerEvent, WorkerRequest } from '../../src/worker/protocol';

/** A 4×4 Sudoku TRM small enough to train a few steps on the CPU twin in a test. */
export function tinyConfig(steps = 6): TrainConfig {
  const cfg = getPreset('sudoku-4x4');
  cfg.model = { ...cfg.model, hidden: 16, puzzleEmbDim: 16, T: 2, n: 1, nSup: 2, expansion: 2 };
  cfg.optim = { ...cfg.optim, batchSize: 8, lr: 1e-2, warmupSteps: 2, ema: 0.8 };
  cfg.data = { kind: 'sudoku', size: 4, difficulty: 3 / 16, trainPuzzles: 40, testPuzzles: 8, augment: true };
  return { ...cfg, steps, evalEvery: 3, evalSamples: 8 };
}

/** The worker core on the CPU engine behind a real WorkerClient, over an in-process port that structured-clones like postMessage. */
export function workerHarness(fallbackReason = 'WebGPU is not available (test).') {
  const events: WorkerEvent[] = [];
  const listeners: ((e: MessageEvent) => void)[] = [];
  const core = new WorkerCore((ev) => {
    const copy = structuredClone(ev);
    events.push(copy);
    queueMicrotask(() => listeners.forEach((l) => l({ data: copy } as MessageEvent)));
  }, async () => cpuEngine(fallbackReason));
  const port: WorkerPort = {
    postMessage: (m) => void core.handle(structuredClone(m) as WorkerRequest),
    addEventListener: (type: string, l: (e: never) => void) => void (type === 'message' && listeners.push(l as (e: MessageEvent) => void)),
    terminate: () => undefined,
  };
  const client = new WorkerClient(port);
  /** The first event from index `from` on that matches. */
  const next = (pred: (e: WorkerEvent) => boolean, from = events.length) =>
    new Promise<WorkerEvent>((resolve) => {
      const found = events.slice(from).find(pred);
      if (found) return resolve(found);
      const off = client.on((e) => {
        if (pred(e)) {
          off();
          resolve(e);
        }
      });
    });
  return { core, client, events, next };
}

/** In-memory store with a byte capacity that throws a QuotaExceededError when full (tests). */
export class MemoryStore implements ByteStore {
  readonly kind = 'memory' as const;
  readonly files = new Map<string, Uint8Array>();

  constructor(public capacity = Infinity) {}

  get used(): number {
    let n = 0;
    for (const b of this.files.values()) n += b.byteLength;
    return n;
  }

  async read(key: string): Promise<Uint8Array | null> {
    return this.files.get(key)?.slice() ?? null;
  }

  async write(key: string, bytes: Uint8Array): Promise<void> {
    const old = this.files.get(key)?.byteLength ?? 0;
    if (this.used - old + bytes.byteLength > this.capacity) throw Object.assign(new Error('The quota has been exceeded.'), { name: 'QuotaExceededError' });
    this.files.set(key, bytes.slice());
  }

  async remove(key: string): Promise<void> {
    this.files.delete(key);
  }
}

/** The store's state once `pred` holds (at once when it already does). */
export function until(store: StoreApi<TrainStore>, pred: (s: TrainStore) => boolean): Promise<TrainStore> {
  return new Promise((resolve) => {
    if (pred(store.getState())) return resolve(store.getState());
    const off = store.subscribe((s) => {
      if (pred(s)) {
        off();
        resolve(s);
      }
    });
  });
}
