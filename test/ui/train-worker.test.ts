import { describe, expect, it, vi } from 'vitest';
import { getPreset } from '../../src/trm/presets';
import { Trainer } from '../../src/trm/trainer';
import type { WorkerEvent } from '../../src/worker/protocol';
import { tinyConfig, workerHarness } from './train-harness';

describe('training worker core (CPU engine)', () => {
  it('opens the engine, says why it fell back, trains with reports, evaluates on schedule and finishes', async () => {
    const { client, events, next } = workerHarness();
    const ready = await client.request({ type: 'init', backend: 'auto' });
    expect(ready).toMatchObject({ backend: 'cpu', fallbackReason: 'WebGPU is not available (test).' });
    const created = await client.request({ type: 'create-run', runId: 'r1', config: tinyConfig(6) });
    expect(created).toMatchObject({ runId: 'r1', step: 0, trainable: true, live: { lr: 1e-2, ema: 0.8 } });
    expect(created.info.seqLen).toBe(16);
    const done = next((e) => e.type === 'state' && e.state === 'done');
    client.send({ type: 'start' });
    await done;
    const metrics = events.filter((e) => e.type === 'metrics');
    expect(metrics.length).toBeGreaterThan(0);
    const last = metrics.at(-1)!;
    expect(last.type === 'metrics' && last.metrics.step).toBe(6);
    if (last.type === 'metrics') {
      expect(Number.isFinite(last.metrics.loss)).toBe(true);
      expect(last.metrics.samplesPerSec).toBeGreaterThan(0);
    }
    const evals = events.filter((e) => e.type === 'eval').map((e) => (e.type === 'eval' ? e.step : -1));
    expect(evals).toEqual([3, 6]);
    expect(events.some((e) => e.type === 'memory')).toBe(true);
    expect(events.filter((e) => e.type === 'state').map((e) => (e.type === 'state' ? e.state : ''))).toEqual(['idle', 'running', 'done']);
  });

  it('pauses and resumes; live lr and EMA apply to the running trainer', async () => {
    const { client, events, next } = workerHarness();
    await client.request({ type: 'init', backend: 'cpu' });
    await client.request({ type: 'create-run', runId: 'r2', config: { ...tinyConfig(500), evalEvery: 0 } });
    const firstMetrics = next((e) => e.type === 'metrics');
    client.send({ type: 'start' });
    await firstMetrics;
    client.send({ type: 'set-live', lr: 2e-2, ema: 0.5 });
    const paused = next((e) => e.type === 'state' && e.state === 'paused');
    client.send({ type: 'pause' });
    const p = await paused;
    expect(p.type === 'state' && p.step).toBeGreaterThan(0);
    expect(p.type === 'state' && p.step).toBeLessThan(500);
    const from = events.length;
    const resumed = next((e) => e.type === 'metrics', from);
    client.send({ type: 'start' });
    const r = await resumed;
    expect(r.type === 'metrics' && r.metrics.step).toBeGreaterThan(p.type === 'state' ? p.step : 0);
    // Past warmup, the live base rate is the rate in force.
    expect(r.type === 'metrics' && r.metrics.lr).toBeCloseTo(2e-2, 10);
    const stopped = next((e) => e.type === 'state' && e.state === 'done', from);
    client.send({ type: 'stop' });
    await stopped;
    await expect(client.request({ type: 'evaluate', limit: 4 })).resolves.toMatchObject({ type: 'eval', runId: 'r2' });
    // A bad live value is an error answered to the page, not a crash.
    const err = next((e) => e.type === 'error', events.length);
    client.send({ type: 'set-live', lr: -1 });
    expect(await err).toMatchObject({ message: expect.stringContaining('learning rate') });
  });

  it('saves a checkpoint, loads it back at the same step with its live settings, traces and samples examples', async () => {
    const { client } = workerHarness();
    await client.request({ type: 'init', backend: 'cpu' });
    await client.request({ type: 'create-run', runId: 'a', config: tinyConfig(4) });
    client.send({ type: 'set-live', lr: 5e-3 });
    const { next } = { next: (p: (e: WorkerEvent) => boolean) => new Promise<void>((res) => { const off = client.on((e) => { if (p(e)) { off(); res(); } }); }) };
    const done = next((e) => e.type === 'state' && e.state === 'done');
    client.send({ type: 'start' });
    await done;
    const ck = await client.request({ type: 'save-checkpoint' });
    expect(ck.bytes.byteLength).toBeGreaterThan(1000);
    const loaded = await client.request({ type: 'load-checkpoint', runId: 'b', bytes: ck.bytes, name: 'a.safetensors' }, [ck.bytes]);
    expect(loaded).toMatchObject({ runId: 'b', step: 4, live: { lr: 5e-3, ema: 0.8 } });
    const [ex] = (await client.request({ type: 'examples', split: 'eval', limit: 2 })).examples;
    expect(ex.inputs).toBeInstanceOf(Int32Array);
    const { trace } = await client.request({ type: 'trace', example: ex });
    expect(trace.frames.length).toBe(2 * 2 * 2);
    expect(trace.steps.length).toBe(2);
    await expect(client.request({ type: 'trace', example: { ...ex, inputs: new Int32Array(3) } })).rejects.toThrow(/3 tokens; this model reads 16/);
    await expect(client.request({ type: 'load-checkpoint', runId: 'c', bytes: new ArrayBuffer(10), name: 'junk.safetensors' })).rejects.toThrow(/junk\.safetensors/);
    // The failed load left the loaded run in place.
    await expect(client.request({ type: 'examples', split: 'train', limit: 3 })).resolves.toMatchObject({ examples: expect.any(Array) });
    await expect(client.request({ type: 'adapt', task: { id: 't', train: [], test: [] }, steps: 2, wholeNetwork: false })).rejects.toThrow(/ARC grids/);
  });

  it('pauses and says so when the gradient stays non-finite', async () => {
    const { client, next } = workerHarness();
    await client.request({ type: 'init', backend: 'cpu' });
    await client.request({ type: 'create-run', runId: 'nan', config: { ...tinyConfig(50), evalEvery: 0 } });
    const real = Trainer.prototype.trainStep;
    const spy = vi.spyOn(Trainer.prototype, 'trainStep').mockImplementation(function (this: Trainer, report?: boolean) {
      const p = real.call(this, report);
      return p && p.then((m) => ({ ...m, loss: NaN, nonFinite: true }));
    });
    try {
      const err = next((e) => e.type === 'error');
      const paused = next((e) => e.type === 'state' && e.state === 'paused');
      client.send({ type: 'start' });
      expect(await err).toMatchObject({ message: expect.stringMatching(/Inf\/NaN.*the autosave never takes weights that hold NaN\/Inf, so the last one is intact/s) });
      await paused;
    } finally {
      spy.mockRestore();
    }
  });

  it('answers requests before init and without a run with clear errors', async () => {
    const { client } = workerHarness();
    await expect(client.request({ type: 'create-run', runId: 'x', config: tinyConfig() })).rejects.toThrow(/not initialised/);
    await client.request({ type: 'init', backend: 'cpu' });
    await expect(client.request({ type: 'save-checkpoint' })).rejects.toThrow(/no run yet/);
    const bad = tinyConfig();
    bad.model.heads = 3;
    bad.model.variant = 'attention';
    bad.model.posEncoding = 'rope';
    await expect(client.request({ type: 'create-run', runId: 'y', config: bad })).rejects.toThrow(/model.heads/);
  });
});

describe('ARC test-time adaptation (CPU engine)', () => {
  it('adapts puzzle embeddings on a new task, votes two candidates per test input, and traces the adapted model', async () => {
    const { generateTasks } = await import('../../src/data/procedural');
    const { encodePair } = await import('../../src/data/arc-encoding');
    const { client, events } = workerHarness();
    await client.request({ type: 'init', backend: 'cpu' });
    const cfg = getPreset('arc-procedural');
    cfg.model = { ...cfg.model, hidden: 16, heads: 2, puzzleEmbDim: 16, puzzleEmbLen: 1, T: 1, n: 1, nSup: 1, expansion: 2 };
    cfg.optim = { ...cfg.optim, batchSize: 4 };
    if (cfg.data.kind !== 'arc-procedural') throw new Error('arc-procedural preset expected');
    cfg.data = { ...cfg.data, tasks: 10, augmentations: 2 };
    await client.request({ type: 'create-run', runId: 'arc', config: cfg });
    const task = generateTasks(1, { seed: 99, maxSide: 5, difficulty: 0.2 })[0];
    const done = await client.request({ type: 'adapt', task, steps: 3, wholeNetwork: false });
    expect(done.candidates.length).toBe(task.test.length);
    for (const c of done.candidates) {
      expect(c.length).toBeGreaterThanOrEqual(1);
      expect(c.length).toBeLessThanOrEqual(2);
    }
    expect(events.filter((e) => e.type === 'adapt-progress').at(-1)).toMatchObject({ step: 3, steps: 3 });
    const ex = encodePair(task.test[0], 6, { puzzleId: done.puzzleId });
    const { trace } = await client.request({ type: 'trace', example: ex, adapted: true });
    expect(trace.frames.length).toBe(2);
  });
});

describe('device loss', () => {
  it('reports a lost device with the run stopped and the autosave intact, and lets the page initialise again', async () => {
    const { cpuEngine } = await import('../../src/worker/engines');
    const { WorkerCore } = await import('../../src/worker/core');
    const events: WorkerEvent[] = [];
    let lose: ((reason: string) => void) | null = null;
    let opened = 0;
    const core = new WorkerCore((ev) => events.push(ev), async () => {
      opened++;
      return { ...cpuEngine(), backend: 'gpu', adapter: 'fake', onLost: (h) => (lose = h) };
    });
    await core.handle({ type: 'init', backend: 'auto', requestId: 1 });
    await core.handle({ type: 'create-run', runId: 'g', config: { ...tinyConfig(1000), evalEvery: 0 }, requestId: 2 });
    await core.handle({ type: 'start' });
    await new Promise((r) => setTimeout(r, 50));
    lose!('GPU device lost: the driver was reset');
    await new Promise((r) => setTimeout(r, 50));
    expect(events.filter((e) => e.type === 'state').at(-1)).toMatchObject({ runId: 'g', state: 'error' });
    expect(events.filter((e) => e.type === 'error').at(-1)).toMatchObject({ message: expect.stringMatching(/device lost.*autosaved checkpoint is intact.*Initialise/s) });
    await core.handle({ type: 'save-checkpoint', requestId: 3 });
    expect(events.at(-1)).toMatchObject({ type: 'error', requestId: 3, message: expect.stringMatching(/not initialised/) });
    await core.handle({ type: 'init', backend: 'auto', requestId: 4 });
    expect(opened).toBe(2);
    expect(events.at(-2)).toMatchObject({ type: 'ready', requestId: 4 });
  });
});
