import { CpuEngine } from '../../src/engine/cpu';
import { describe, expect, it } from 'vitest';
import { getConfigField, issuesByField, setConfigField } from '../../src/state/config-edit';
import { appendPoint, chartPoints, emptyHistory, pointOf, thin, type History } from '../../src/state/history';
import { applyEvent, autosaveDue, initialState, runCreated, summarize, upsertRun, MAX_RUNS, type TrainState } from '../../src/state/train-model';
import { getPreset } from '../../src/trm/presets';
import { DivergenceGuard, ReportPacer } from '../../src/worker/pacing';
import type { LiveMetrics, WorkerEvent } from '../../src/worker/protocol';

const metrics = (step: number, loss = 1 / step): LiveMetrics => ({
  step, lr: 1e-3, count: 4, loss, lmLoss: loss * 0.9, haltLoss: loss * 0.1, accuracy: 0.5, exactAccuracy: 0.25, qHaltAccuracy: 0.5,
  meanSteps: 2, gradNorm: 1, nonFinite: false, samplesPerSec: 100, etaSec: 10,
});

describe('metric history', () => {
  it('stays within its bound with evenly spaced, averaged points, however long the run', () => {
    let h: History = emptyHistory(8);
    for (let s = 1; s <= 1000; s++) h = appendPoint(h, pointOf(metrics(s, s)));
    const pts = chartPoints(h);
    expect(h.points.length).toBeLessThanOrEqual(8);
    expect(h.points.length).toBeGreaterThanOrEqual(4);
    const gaps = h.points.slice(1).map((p, i) => p.step - h.points[i].step);
    expect(new Set(gaps).size).toBe(1);
    expect(gaps[0]).toBe(h.stride);
    // Each point is the mean of its group (loss = step here), at the group's last step.
    const p = h.points[0];
    expect(p.loss).toBeCloseTo(p.step - (h.stride - 1) / 2, 9);
    // The newest report shows even before its group is complete.
    expect(pts[pts.length - 1].step).toBe(1000);
  });

  it('keeps non-finite values as gaps (null), not as points at infinity', () => {
    const h = appendPoint(emptyHistory(), pointOf({ ...metrics(1), loss: NaN, gradNorm: Infinity }));
    expect(h.points[0].loss).toBeNull();
    expect(h.points[0].gradNorm).toBeNull();
    expect(h.points[0].lmLoss).toBeCloseTo(0.9);
  });

  it('leaves rates over halted samples undefined in a step where none halted', () => {
    const p = pointOf({ ...metrics(3), count: 0, exactAccuracy: 0, meanSteps: 0 });
    expect([p.exactAccuracy, p.accuracy, p.qHaltAccuracy, p.meanSteps]).toEqual([null, null, null, null]);
    expect(p.loss).toBeCloseTo(1 / 3);
  });

  it('thins a series to n points including both ends', () => {
    expect(thin([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 4)).toEqual([1, 4, 7, 10]);
    expect(thin([1, 2], 4)).toEqual([1, 2]);
  });
});

describe('report pacing', () => {
  it('reports every step when steps are slow and every k steps so reports stay under ~8/s when fast', () => {
    const slow = new ReportPacer(125);
    slow.observe(1, 400);
    expect(slow.k).toBe(1);
    const fast = new ReportPacer(125);
    for (let i = 0; i < 20; i++) fast.observe(fast.k, fast.k * 2); // 2 ms per step
    expect(fast.k).toBe(63);
    expect(fast.samplesPerSec(64)).toBeCloseTo(32000, 0);
    expect(fast.etaSec(1000)).toBeCloseTo(2, 6);
    expect(new ReportPacer(125, 10).k).toBe(1);
  });

  it('ends chunks at the last step and at each evaluation', () => {
    const p = new ReportPacer();
    p.k = 50;
    expect(p.chunk(0, 30, 0)).toBe(30);
    expect(p.chunk(90, 1000, 100)).toBe(10);
    expect(p.chunk(100, 1000, 100)).toBe(50);
    expect(p.chunk(1000, 1000, 100)).toBe(0);
  });

  it('flags divergence only after consecutive non-finite reports', () => {
    const g = new DivergenceGuard(3);
    const bad = { nonFinite: true, loss: 1 }, good = { nonFinite: false, loss: 1 };
    expect([bad, bad, good, bad, bad].map((m) => g.observe(m))).toEqual([false, false, false, false, false]);
    expect(g.observe({ nonFinite: false, loss: NaN })).toBe(true);
  });
});

describe('train state transitions', () => {
  const cfg = getPreset('sudoku-4x4');
  const created: Extract<WorkerEvent, { type: 'run-created' }> = {
    type: 'run-created', runId: 'r1', config: cfg, info: { name: 'sudoku', seqLen: 16, vocabSize: 6, numPuzzleIds: 1 }, paramCount: 1000, step: 0, trainable: true, live: { lr: 2e-3, ema: 0.99 },
  };
  const base = (): TrainState => runCreated(initialState({ preset: 'sudoku-4x4', config: cfg }), created, { now: 5 });

  it('a created run is current, in the runs table, selected for comparison, with its live settings', () => {
    const s = base();
    expect(s.run).toMatchObject({ id: 'r1', name: 'sudoku-4x4', state: 'idle', step: 0, steps: cfg.steps });
    expect(s.runs.map((r) => r.id)).toEqual(['r1']);
    expect(s.selected).toEqual(['r1']);
    expect(s.live).toEqual({ lr: 2e-3, ema: 0.99 });
    expect(s.modelVersion).toBe(1);
    const modified = runCreated(s, { ...created, runId: 'r2', config: { ...cfg, seed: 7 } }, { now: 6 });
    expect(modified.run?.name).toBe('sudoku-4x4 (+1)');
  });

  it('metrics, evals and state changes update the run and its summary; other runs\' events are ignored', () => {
    let s = base();
    s = applyEvent(s, { type: 'state', runId: 'r1', state: 'running', step: 0, steps: cfg.steps });
    s = applyEvent(s, { type: 'metrics', runId: 'r1', metrics: metrics(10) });
    s = applyEvent(s, { type: 'metrics', runId: 'other', metrics: metrics(99) });
    expect(s.run?.step).toBe(10);
    expect(s.run?.etaSec).toBe(10);
    const v = s.modelVersion;
    s = applyEvent(s, { type: 'eval', runId: 'r1', step: 10, result: { examples: 8, exactAccuracy: 0.5, tokenAccuracy: 0.9, exactByStep: [0.5], meanHaltStep: 3, passAtK: { 1: 0.25, 2: 0.5 } } });
    expect(s.run?.evals).toEqual([{ step: 10, examples: 8, exactAccuracy: 0.5, tokenAccuracy: 0.9, meanHaltStep: 3, passAt1: 0.25, passAt2: 0.5 }]);
    expect(s.modelVersion).toBe(v + 1);
    s = applyEvent(s, { type: 'state', runId: 'r1', state: 'paused', step: 10, steps: cfg.steps });
    expect(s.run?.state).toBe('paused');
    // Settling after running means new weights (the viewer re-traces); a settled run saying so again does not.
    expect(s.modelVersion).toBe(v + 2);
    expect(applyEvent(s, { type: 'state', runId: 'r1', state: 'paused', step: 10, steps: cfg.steps }).modelVersion).toBe(v + 2);
    expect(s.runs[0]).toMatchObject({ state: 'paused', step: 10, final: { loss: 0.1, evalExact: 0.5, passAt2: 0.5 } });
    expect(s.runs[0].curve).toEqual([{ step: 10, loss: 0.1 }]);
  });

  it('routes errors: request errors stay with their request, a lost device marks the engine, others go to the run', () => {
    let s = applyEvent(base(), { type: 'ready', backend: 'gpu', adapter: 'x', features: ['subgroups'], limits: new CpuEngine().limits() });
    expect(applyEvent(s, { type: 'error', message: 'bad', requestId: 3 }).errors).toEqual({ engine: undefined });
    expect(applyEvent(s, { type: 'error', message: 'diverged' }).errors.run).toBe('diverged');
    s = applyEvent(s, { type: 'error', message: 'GPU device lost: reset. Training stopped' });
    expect(s.engine.status).toBe('lost');
    expect(s.errors.engine).toMatch(/device lost/);
  });

  it('autosave is due every N steps after the last save, not too soon after it, never while saving', () => {
    let s = applyEvent(base(), { type: 'metrics', runId: 'r1', metrics: metrics(200) });
    expect(autosaveDue(s, 200, 0)).toBe(true);
    expect(autosaveDue({ ...s, storage: { ...s.storage, saving: true } }, 200, 0)).toBe(false);
    s = { ...s, storage: { ...s.storage, lastSavedStep: 150, lastSavedAt: 1000 } };
    expect(autosaveDue(s, 200, 100_000)).toBe(false);
    s = { ...s, storage: { ...s.storage, lastSavedStep: 0 } };
    expect(autosaveDue(s, 200, 1000 + 5_000, 15_000)).toBe(false);
    expect(autosaveDue(s, 200, 1000 + 15_000, 15_000)).toBe(true);
  });

  it('keeps at most MAX_RUNS rows, newest first, replacing a run\'s row in place', () => {
    const s = base();
    let runs = s.runs;
    for (let i = 0; i < MAX_RUNS + 5; i++) runs = upsertRun(runs, { ...summarize(s.run!), id: `x${i}` });
    expect(runs.length).toBe(MAX_RUNS);
    expect(runs[0].id).toBe(`x${MAX_RUNS + 4}`);
    const again = upsertRun(runs, { ...runs[3], step: 77 });
    expect(again[3].step).toBe(77);
  });
});

describe('config edits', () => {
  it('sets fields immutably, switches data kinds with that kind\'s defaults, and reports issues by field', () => {
    const cfg = getPreset('sudoku-4x4');
    const next = setConfigField(cfg, 'model.hidden', 48);
    expect(next.model.hidden).toBe(48);
    expect(cfg.model.hidden).toBe(32);
    const maze = setConfigField(cfg, 'data.kind', 'maze');
    expect(maze.data).toEqual(getPreset('maze').data);
    expect(getConfigField(maze, 'data.size')).toBe(8);
    expect(() => setConfigField(cfg, 'model.nope', 1)).toThrow(/no config field model.nope/);
    const bad = setConfigField(setConfigField(cfg, 'model.variant', 'attention'), 'model.heads', 5);
    expect(issuesByField(bad).get('model.heads')?.[0]).toMatch(/not divisible/);
    expect(issuesByField(setConfigField(cfg, 'optim.lr', NaN)).get('optim.lr')?.[0]).toMatch(/got NaN/);
  });
});

describe('config form layout', () => {
  it('shows every knob of every preset exactly once, and parses typed text like the config expects', async () => {
    const { visibleFields, parseField, fieldText } = await import('../../src/ui/train/config-fields');
    const { flatten } = await import('../../src/io/url-state');
    const { PRESET_NAMES } = await import('../../src/trm/presets');
    for (const name of PRESET_NAMES) {
      const cfg = getPreset(name);
      const shown = visibleFields(cfg).flatMap((s) => s.fields.map((f) => f.path));
      // ropeBase/heads only where they apply; everything else always.
      const leaves = [...flatten(cfg).keys()].filter((k) => !(cfg.model.variant === 'mlp' && (k === 'model.heads' || k === 'model.ropeBase')) && !(k === 'optim.lrMinRatio' && cfg.optim.schedule !== 'cosine') && !(k === 'model.ropeBase' && cfg.model.posEncoding !== 'rope'));
      expect(new Set(shown).size).toBe(shown.length);
      expect(shown.sort()).toEqual(leaves.sort());
    }
    const fields = visibleFields(getPreset('arc-procedural')).flatMap((s) => s.fields);
    const f = (p: string) => fields.find((x) => x.path === p)!;
    expect(parseField(f('optim.lr'), '1e-4')).toBe(1e-4);
    expect(parseField(f('optim.lr'), '')).toBeNaN();
    expect(parseField(f('data.translate'), 'true')).toBe(true);
    expect(parseField(f('data.families'), 'flip, recolour,')).toEqual(['flip', 'recolour']);
    const sudoku = visibleFields(getPreset('sudoku-4x4')).flatMap((s) => s.fields).find((x) => x.path === 'data.size')!;
    expect(parseField(sudoku, '9')).toBe(9);
    expect(fieldText(getPreset('arc-procedural'), f('data.families'))).toBe('');
  });
});

describe('dashboard number formats', () => {
  it('formats durations, percentages, numbers, ticks and the log-scale lr slider', async () => {
    const f = await import('../../src/ui/train/format');
    expect([f.fmtDuration(5.4), f.fmtDuration(125), f.fmtDuration(3 * 3600 + 65), f.fmtDuration(NaN), f.fmtDuration(null)]).toEqual(['5s', '2m 05s', '3h 01m', '—', '—']);
    expect([f.fmtPct(0.1234), f.fmtPct(null), f.fmtNum(0.00025), f.fmtNum(1.23456), f.fmtNum(123456), f.fmtNum(NaN)]).toEqual(['12.3%', '—', '2.50e-4', '1.235', '1.23e+5', 'NaN']);
    expect([f.fmtTick(0.00075), f.fmtTick(0.0005), f.fmtTick(0.123456), f.fmtTick(25000)]).toEqual(['7.5e-4', '5e-4', '0.123', '25k']);
    expect(f.sliderToLr(f.lrToSlider(3e-4))).toBe(3e-4);
    expect(f.lrToSlider(1e-9)).toBe(f.LR_LOG_MIN);
  });
});
