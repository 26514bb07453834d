import { useEffect, type KeyboardEvent } from 'react';
import { trainActions, useTrain, type BootOptions } from '../../state/train-store';
import { isTypingTarget } from '../editors/keys';
import { CheckpointPanel } from './CheckpointPanel';
import { ConfigForm } from './ConfigForm';
import { EngineBar } from './EngineBar';
import { RunControls } from './RunControls';
import { RunsTable } from './RunsTable';
import { TrainCharts } from './TrainCharts';
import './train.css';

export interface DashboardProps {
  /** Passed to the store's boot() once, at mount (boot is idempotent: the app may have booted it already). */
  boot?: BootOptions;
}

/**
 * The training dashboard: engine, config form, run controls with live settings, live charts, runs table and
 * checkpoints. Keys while it has focus (not in a field): S start/pause/resume, X stop, E evaluate.
 */
export function Dashboard({ boot }: DashboardProps) {
  const running = useTrain((s) => s.run?.state === 'running');
  const hasRun = useTrain((s) => s.run !== null);
  useEffect(() => {
    void trainActions().boot(boot);
  }, []);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey || isTypingTarget(e.target)) return;
    const a = trainActions();
    const k = e.key.toLowerCase();
    if (k === 's') running ? a.pause() : void a.start();
    else if (k === 'x' && hasRun) a.stop();
    else if (k === 'e' && hasRun) void a.evaluate();
    else return;
    e.preventDefault();
  };
  return (
    <section className="td" aria-label="Training" data-testid="train-dashboard" tabIndex={-1} onKeyDown={onKeyDown}>
      <EngineBar />
      <div className="td-main">
        <ConfigForm />
        <div className="td-right">
          <RunControls />
          <TrainCharts />
          <div className="td-bottom">
            <RunsTable />
            <CheckpointPanel />
          </div>
        </div>
      </div>
    </section>
  );
}
