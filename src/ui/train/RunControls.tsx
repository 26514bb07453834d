import { useEffect, useMemo, useRef, useState } from 'react';
import { draftIssues, startBlockedReason } from '../../state/config-edit';
import { chartPoints } from '../../state/history';
import { estimateRun, measureThroughput, useMeasurement } from '../../state/estimate-store';
import { getTrainClient, trainActions, useTrain } from '../../state/train-store';
import type { TrainConfig } from '../../trm/config';
import { ErrorNote } from './ErrorNote';
import { fmtCount, fmtDuration, fmtNum, LR_LOG_MAX, LR_LOG_MIN, lrToSlider, sliderToLr } from './format';

/** A number input that commits on Enter or blur, so a half-typed value is never sent. */
function NumberInput({ value, onCommit, label, testId, width }: { value: number; onCommit: (v: number) => void; label: string; testId: string; width?: number }) {
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  const commit = () => {
    const v = Number(text);
    if (text.trim() !== '' && v !== value) onCommit(v);
  };
  return (
    <input
      type="text"
      inputMode="decimal"
      aria-label={label}
      data-testid={testId}
      value={text}
      style={width ? { width } : undefined}
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => e.key === 'Enter' && commit()}
    />
  );
}

/**
 * How long the form's config will take here, beside Start. The device is measured once, the first time the
 * user changes the config (a preset or a field), so the first screen's trace never waits behind it.
 */
function RunEstimate({ config }: { config: TrainConfig }) {
  const backend = useTrain((s) => (s.engine.status === 'ready' ? s.engine.backend : null));
  const m = useMeasurement(backend);
  const first = useRef(config);
  useEffect(() => {
    if (backend && config !== first.current) void measureThroughput(backend, getTrainClient());
  }, [backend, config]);
  const est = useMemo(() => (m?.status === 'ready' ? estimateRun(config, m.throughput) : null), [config, m]);
  let text = '', title = '';
  if (m?.status === 'measuring') text = 'measuring this device…';
  else if (m?.status === 'error') [text, title] = ['no time estimate', m.message];
  else if (est && m?.status === 'ready') {
    const t = m.throughput;
    text = `≈ ${fmtDuration(est.seconds)} on this device (${fmtNum(est.secPerStep)} s per step × ${config.steps} steps, with evaluations)`;
    title = `From the config's FLOPs at ${fmtNum(t.flopsPerSec / 1e9)} GFLOP/s, measured training a small model here (${t.model}, ${fmtNum(t.secPerStep)} s per step); larger models usually run faster per FLOP on a GPU`;
  }
  return (
    <span className="td-mono" data-testid="train-estimate" title={title}>
      {text}
      {est?.long && <span className="td-warn" data-testid="train-estimate-long"> Over an hour on this device: a smaller config (fewer steps, a smaller D or batch) or a faster GPU shortens it.</span>}
    </span>
  );
}

/** Start / pause / resume / stop / reset, progress with ETA and throughput, and the settings that apply live. */
export function RunControls() {
  const run = useTrain((s) => s.run);
  const draft = useTrain((s) => s.draft);
  const live = useTrain((s) => s.live);
  const ready = useTrain((s) => s.engine.status === 'ready');
  const limits = useTrain((s) => s.engine.limits);
  const a = trainActions();
  const state = run?.state ?? 'idle';
  const running = state === 'running';
  const pct = run ? Math.min(100, (100 * run.step) / Math.max(1, run.steps)) : 0;
  const last = run ? chartPoints(run.history).at(-1) : undefined;
  const differs = !!run && JSON.stringify(run.config) !== JSON.stringify(draft.config);
  const startLabel = running ? 'Pause' : state === 'paused' ? 'Resume' : 'Start';
  // Start builds a run from the form when there is none to resume; Reset always does.
  const issues = useMemo(() => draftIssues(draft.config, limits), [draft.config, limits]);
  const fromForm = !run || state === 'done' || state === 'error';
  const blocked = startBlockedReason(issues);
  return (
    <div className="td-panel" data-testid="train-controls">
      <div className="td-controls">
        <button
          type="button"
          className="td-primary"
          data-testid={running ? 'train-pause' : 'train-start'}
          disabled={!ready || (!!run && !run.trainable && !running) || (fromForm && !!blocked)}
          aria-keyshortcuts="S"
          aria-describedby={fromForm && blocked ? 'td-start-blocked' : undefined}
          title={fromForm && blocked ? blocked : `${startLabel} (S)`}
          onClick={() => (running ? a.pause() : void a.start())}
        >
          {startLabel}
        </button>
        <button type="button" data-testid="train-stop" disabled={!run || (state !== 'running' && state !== 'paused')} aria-keyshortcuts="X" title="End the run here; it stays loaded for inspection (X)" onClick={a.stop}>
          Stop
        </button>
        <button type="button" data-testid="train-reset" disabled={!ready || !!blocked} title={blocked ? blocked.replace('Start', 'Reset') : "A fresh run with new weights from the form's config"} onClick={() => void a.reset()}>
          Reset
        </button>
        <button type="button" data-testid="train-evaluate" disabled={!run || !run.trainable} aria-keyshortcuts="E" title="Evaluate on the held-out set now (E)" onClick={() => void a.evaluate()}>
          Evaluate
        </button>
        <span className={`td-state ${state}`} data-testid="train-state">{state}</span>
        {!running && <RunEstimate config={draft.config} />}
        {run && (
          <span className="td-dim">
            {run.name} · {fmtCount(run.paramCount)} params · {run.info.name} ({run.info.seqLen} tokens)
          </span>
        )}
      </div>
      <div className="td-progress">
        <div className="td-bar" role="progressbar" aria-label="Training progress" aria-valuemin={0} aria-valuemax={run?.steps ?? 0} aria-valuenow={run?.step ?? 0}>
          <div style={{ width: `${pct}%` }} />
        </div>
        <span className="td-mono" data-testid="train-step">
          step {run?.step ?? 0} / {run?.steps ?? draft.config.steps}
        </span>
        <span className="td-mono" title="Estimated time to the last step at the current speed">ETA {running ? fmtDuration(run?.etaSec) : '—'}</span>
        <span className="td-mono">{run?.samplesPerSec ? `${fmtCount(run.samplesPerSec)} samples/s` : ''}</span>
      </div>
      {blocked && (
        <div className="td-error" id="td-start-blocked" data-testid="train-start-blocked">
          {fromForm ? blocked : `${blocked.replace('Start is', 'Reset is')} Resume continues the loaded run.`}
        </div>
      )}
      {differs && <div className="td-warn">The form differs from this run&apos;s config: Reset to train with it (lr and EMA below apply live).</div>}
      {run && !run.trainable && <div className="td-warn">This ARC checkpoint was opened without its tasks: it can solve and be traced; load its tasks (Datasets) and open it again to train.</div>}
      <ErrorNote slot="run" />
      <div className="td-live" aria-label="Live settings">
        <label title="Base learning rate; the warmup/cosine shape is kept. Applies at once.">
          lr
          <input
            type="range"
            min={LR_LOG_MIN}
            max={LR_LOG_MAX}
            step={0.01}
            aria-label="Learning rate (log scale)"
            data-testid="live-lr-slider"
            value={lrToSlider(live.lr)}
            onChange={(e) => a.setLiveLr(sliderToLr(Number(e.target.value)))}
          />
          <NumberInput value={live.lr} label="Learning rate" testId="live-lr" onCommit={a.setLiveLr} />
        </label>
        <label title="Decay of the weight average used for evaluation and checkpoints. Applies at once.">
          EMA
          <NumberInput value={live.ema} label="EMA decay" testId="live-ema" onCommit={a.setLiveEma} width={70} />
        </label>
        <span className="td-dim td-mono">lr now {fmtNum(last?.lr)}</span>
      </div>
      <ErrorNote slot="live" />
    </div>
  );
}
