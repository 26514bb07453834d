import { useEffect, useRef, useState } from 'react';
import type { Example } from '../../data/dataset';
import { userMessage } from '../../io/user-error';
import { PROBES, isBatchProbe, type ProbeName, type ProbeRequest, type ProbeResult } from '../../probes';
import { probeReport } from '../../probes/report';
import { MAX_PUZZLES } from '../../trm/config';
import type { TrainClient } from '../../worker/client';
import type { PuzzleView } from '../puzzle-codec';
import { AnswerChangeGrid } from './AnswerChangeGrid';
import { AblationChart, AccuracyCharts, TrajectoryChart } from './charts';
import './probes.css';

export interface ProbesPanelProps {
  /** The worker client that holds the loaded model (the app's, or any TrainClient). */
  client: Pick<TrainClient, 'request'>;
  /** How the model's tokens read (puzzleViewOf(config.data)). */
  view: PuzzleView;
  /** The puzzle the viewer shows: the per-puzzle probes run on it. */
  example: Example | null;
  /** Anything that changes with the model (run id, step, modelVersion): results computed before are dropped. */
  modelKey?: unknown;
  /** Held-out puzzles the batch probes score at first. */
  puzzles?: number;
}

const TITLES: Record<ProbeName, string> = {
  'accuracy-by-step': 'Accuracy by step',
  'answer-changes': 'Where the answer changed',
  'latent-trajectory': 'Latent trajectory',
  'task-ablation': 'Task identity ablation',
};

const ABOUT: Record<ProbeName, string> = {
  'accuracy-by-step': 'Exact and per-token accuracy after every supervision step on held-out puzzles, and when the halting head first says stop: the CLI eval\'s "exact by step", drawn.',
  'answer-changes': 'For the puzzle in the viewer: the supervision step at which each cell\'s answer last changed, and whether it is right at the end.',
  'latent-trajectory': 'For the puzzle in the viewer: how far the latent z and the answer y move at every update. Changes that shrink mean the recursion settles; changes that stay large or repeat mean it keeps moving or cycles.',
  'task-ablation': 'The same held-out puzzles with the puzzle (task) embedding as trained, blanked (id 0) and swapped for another task\'s row: how much the model leans on the task ID.',
};

type Outcome = { status: 'running' } | { status: 'done'; result: ProbeResult } | { status: 'error'; message: string };

function ProbeView({ result, view }: { result: ProbeResult; view: PuzzleView }) {
  switch (result.probe) {
    case 'accuracy-by-step':
      return <AccuracyCharts r={result.result} />;
    case 'answer-changes':
      return <AnswerChangeGrid r={result.result} view={view} />;
    case 'latent-trajectory':
      return <TrajectoryChart r={result.result} />;
    case 'task-ablation':
      return result.result.applicable ? <AblationChart r={result.result} /> : <p className="pb-na" data-testid="probe-not-applicable">Not applicable: {result.result.reason}.</p>;
  }
}

/**
 * The research probes on the loaded model, one tab each, computed in the worker by src/probes (the code `npm run
 * probe` runs), shown as a chart with the same numbers as text beneath it.
 */
export function ProbesPanel({ client, view, example, modelKey, puzzles: initialPuzzles = 100 }: ProbesPanelProps) {
  const [tab, setTab] = useState<ProbeName>('accuracy-by-step');
  const [puzzles, setPuzzles] = useState(initialPuzzles);
  const [outcomes, setOutcomes] = useState<Partial<Record<ProbeName, Outcome>>>({});

  // Results belong to one model; per-puzzle results also to one puzzle. One still running when either changes is
  // dropped on arrival.
  const current = useRef({ modelKey, example });
  current.current = { modelKey, example };
  useEffect(() => setOutcomes({}), [modelKey]);
  useEffect(() => setOutcomes((o) => ({ ...o, 'answer-changes': undefined, 'latent-trajectory': undefined })), [example]);

  const validPuzzles = Number.isInteger(puzzles) && puzzles >= 1 && puzzles <= MAX_PUZZLES;
  const batch = isBatchProbe(tab);
  const outcome = outcomes[tab];
  const canRun = outcome?.status !== 'running' && (batch ? validPuzzles : example !== null);

  const run = async () => {
    const probe = tab;
    const req: ProbeRequest = isBatchProbe(probe) ? { probe, puzzles } : { probe, example: example! };
    const asked = current.current;
    const set = (o: Outcome) => {
      const now = current.current;
      if (now.modelKey === asked.modelKey && (isBatchProbe(probe) || now.example === asked.example)) setOutcomes((all) => ({ ...all, [probe]: o }));
    };
    set({ status: 'running' });
    try {
      set({ status: 'done', result: (await client.request({ type: 'probe', probe: req })).result });
    } catch (err) {
      set({ status: 'error', message: userMessage(err) });
    }
  };

  return (
    <section className="pb" data-testid="probes-panel" aria-label="Research probes">
      <nav className="pb-tabs" role="tablist">
        {PROBES.map((p) => (
          <button key={p} role="tab" aria-selected={tab === p} data-testid={`probe-tab-${p}`} onClick={() => setTab(p)}>
            {TITLES[p]}
          </button>
        ))}
      </nav>
      <p className="pb-about">{ABOUT[tab]}</p>
      <div className="pb-controls">
        {batch && (
          <label>
            held-out puzzles{' '}
            <input type="number" min={1} max={MAX_PUZZLES} value={Number.isFinite(puzzles) ? puzzles : ''} aria-invalid={!validPuzzles} data-testid="probe-puzzles" onChange={(e) => setPuzzles(e.target.valueAsNumber)} />
          </label>
        )}
        {!batch && !example && <span className="pb-dim">Pick a puzzle to probe.</span>}
        <button onClick={() => void run()} disabled={!canRun} data-testid="probe-run">
          {outcome?.status === 'running' ? 'Running…' : outcome?.status === 'done' ? 'Run again' : 'Run'}
        </button>
      </div>
      {outcome?.status === 'error' && <p className="pb-error" role="alert" data-testid="probe-error">{outcome.message}</p>}
      {outcome?.status === 'done' && (
        <div className="pb-result" data-testid={`probe-result-${tab}`}>
          <ProbeView result={outcome.result} view={view} />
          <pre className="pb-numbers" data-testid="probe-report">{probeReport(outcome.result).join('\n')}</pre>
        </div>
      )}
    </section>
  );
}
