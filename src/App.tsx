import { useEffect, useMemo, useState } from 'react';
import type { Example } from './data/dataset';
import type { ArcTask } from './data/grid';
import { userMessage } from './io/user-error';
import { getModelStore, modelActions } from './state/model-store';
import { getTrainClient, trainActions, useTrace, useTrain } from './state/train-store';
import { DatasetsPanel, type DatasetItem } from './ui/datasets';
import { ModelBar } from './ui/models/ModelBar';
import { ProbesPanel } from './ui/probes/ProbesPanel';
import { ArcEditor } from './ui/editors/ArcEditor';
import { MazeEditor } from './ui/editors/MazeEditor';
import { SudokuEditor } from './ui/editors/SudokuEditor';
import { arcPairToExample, mazeToExample, puzzleViewOf, sudokuToExample, type PuzzleView } from './ui/puzzle-codec';
import { decodeShownPuzzle, encodeShownPuzzle } from './ui/shown-puzzle';
import { Dashboard } from './ui/train/Dashboard';
import { RecursionViewer } from './ui/viewer/RecursionViewer';
import './ui/app.css';

/** With nothing autosaved, the playground opens on the first shipped model (public/models/index.json). */
const boot = { fallback: () => modelActions().fallback() };

/** The held-out puzzle a new run opens on: a shipped model's first featured one (it refines), else the first. */
function openingPuzzle(runId: string): number {
  const { opened, cards } = getModelStore().getState();
  const card = opened?.runId === runId ? cards?.find((c) => c.id === opened.id) : undefined;
  return card?.featured[0] ?? 0;
}

type Tab = 'viewer' | 'edit' | 'datasets';

function describeView(v: PuzzleView): string {
  return v.kind === 'arc' ? `ARC tasks on a ${v.canvas}×${v.canvas} canvas` : v.kind === 'sudoku' ? `${v.size}×${v.size} Sudoku` : `${v.size}×${v.size} mazes`;
}

/** An item from the datasets panel as the current model's input, or why it cannot be. */
function itemExample(item: DatasetItem, view: PuzzleView): Example | string {
  if (item.kind === 'sudoku' && view.kind === 'sudoku' && item.puzzle.h === view.size) return sudokuToExample(item.puzzle).example;
  if (item.kind === 'maze' && view.kind === 'maze' && item.input.h === view.size && item.input.w === view.size) return mazeToExample(item.input).example;
  if (item.kind === 'arc' && view.kind === 'arc') {
    try {
      return arcPairToExample(item.task.test[0], view.canvas, { where: `task ${item.id}, test pair 0` });
    } catch (err) {
      return userMessage(err);
    }
  }
  const shape = item.kind === 'arc' ? 'an ARC task' : item.kind === 'sudoku' ? `a ${item.puzzle.h}×${item.puzzle.w} Sudoku` : `a ${item.input.h}×${item.input.w} maze`;
  return `This model reads ${describeView(view)}; ${item.id} is ${shape}. Load or train a matching model to run it.`;
}

export function App() {
  const config = useTrain((s) => s.run?.config ?? null);
  const runId = useTrain((s) => s.run?.id ?? null);
  const seqLen = useTrain((s) => s.run?.info.seqLen ?? null);
  const urlPuzzle = useTrain((s) => s.puzzle);
  const [shown, setShown] = useState<Example | null>(null);
  /** The held-out index of `shown`, or null for a drawn or linked puzzle. */
  const [shownIndex, setShownIndex] = useState<number | null>(null);
  const [tab, setTab] = useState<Tab>('viewer');
  const [notice, setNotice] = useState<string | null>(null);
  const [arcTask, setArcTask] = useState<ArcTask | undefined>(undefined);
  const view = useMemo(() => (config ? puzzleViewOf(config.data) : null), [config]);

  useEffect(() => {
    void trainActions().boot(boot);
  }, []);

  // A new model: show the puzzle from the link when it fits, else the first held-out puzzle.
  useEffect(() => {
    if (!runId || !config) return;
    let cancelled = false;
    (async () => {
      let ex: Example | null = null;
      let index: number | null = null;
      if (urlPuzzle) {
        try {
          ex = decodeShownPuzzle(urlPuzzle);
          if (ex.inputs.length !== seqLen) {
            setNotice(`The puzzle in the link has ${ex.inputs.length} cells; this model reads ${seqLen}: showing one of its held-out puzzles instead.`);
            ex = null;
          }
        } catch (err) {
          setNotice(userMessage(err));
        }
      }
      if (!ex) {
        index = openingPuzzle(runId);
        ex = (await trainActions().examples('eval', index + 1))[index] ?? null;
      }
      if (!cancelled && ex) {
        setShown(ex);
        setShownIndex(index);
        trainActions().setPuzzle(encodeShownPuzzle(ex));
      }
    })().catch((err: unknown) => setNotice(userMessage(err)));
    return () => {
      cancelled = true;
    };
  }, [runId]);

  const show = (ex: Example, index: number | null = null) => {
    setShown(ex);
    setShownIndex(index);
    setNotice(null);
    setTab('viewer');
    trainActions().setPuzzle(encodeShownPuzzle(ex));
  };

  const { trace, error, loading } = useTrace(shown);

  const onSelect = (item: DatasetItem) => {
    if (!view) return;
    if (item.kind === 'arc') setArcTask(item.task);
    const ex = itemExample(item, view);
    if (typeof ex === 'string') setNotice(ex);
    else show(ex);
  };

  return (
    <div className="app">
      <header className="app-head">
        <h1>TRM Lab</h1>
        <span className="app-sub">Tiny Recursive Models on your GPU: train, watch every recursion step, edit and solve.</span>
      </header>
      <main className="app-center">
        <nav className="app-tabs" role="tablist">
          <button role="tab" aria-selected={tab === 'viewer'} data-testid="tab-viewer" onClick={() => setTab('viewer')}>Recursion</button>
          <button role="tab" aria-selected={tab === 'edit'} data-testid="tab-edit" onClick={() => setTab('edit')}>Edit &amp; solve</button>
          <button role="tab" aria-selected={tab === 'datasets'} data-testid="tab-datasets" onClick={() => setTab('datasets')}>Datasets</button>
          {view && <span className="app-model" data-testid="model-kind">model: {describeView(view)}</span>}
        </nav>
        {notice && (
          <div className="app-notice" role="status" data-testid="app-notice">
            {notice} <button onClick={() => setNotice(null)} aria-label="Dismiss">×</button>
          </div>
        )}
        {tab === 'viewer' && (
          <section className="app-viewer">
            <ModelBar puzzle={shownIndex} onPuzzle={show} onDraw={() => setTab('edit')} />
            {!view && <p className="app-muted">Opening the trained model…</p>}
            {view && loading && !trace && <p className="app-muted" data-testid="viewer-loading">Running the model through every recursion step…</p>}
            {error && <p className="app-error" role="alert">{error}</p>}
            {view && shown && trace && (
              <RecursionViewer
                trace={trace}
                view={view}
                input={shown.inputs}
                target={shown.labels}
                autoPlay
                gridSize={200}
                below={<ViewerProbes view={view} example={shown} />}
              />
            )}
          </section>
        )}
        {/* Kept mounted so loaded collections and their progress survive switching tabs. */}
        <section className="app-datasets" hidden={tab !== 'datasets'} aria-label="Datasets">
          <DatasetsPanel
            onSelect={onSelect}
            onTrain={(req) => {
              const a = trainActions();
              a.setArcTasks(req.split);
              a.setField('data.kind', 'arc');
              a.setField('data.canvas', req.canvas);
            }}
          />
        </section>
        {tab === 'edit' && view && (
          <section className="app-editor">
            {view.kind === 'sudoku' && <SudokuEditor size={view.size} onSolve={({ example }) => show(example)} />}
            {view.kind === 'maze' && <MazeEditor size={view.size} onSolve={({ example }) => show(example)} />}
            {view.kind === 'arc' && <ArcEditor key={arcTask?.id ?? 'blank'} initialTask={arcTask} canvas={view.canvas} onSolve={({ example }) => show(example)} />}
          </section>
        )}
      </main>
      <aside className="app-right" aria-label="Training">
        <Dashboard boot={boot} />
      </aside>
    </div>
  );
}

/**
 * The research probes for the model in the viewer. It subscribes to the model's version itself: in App that
 * subscription re-rendered the whole page at every training chunk.
 */
function ViewerProbes({ view, example }: { view: PuzzleView; example: Example }) {
  const modelKey = useTrain((s) => `${s.run?.id ?? ''}:${s.modelVersion}`);
  return <ProbesPanel client={getTrainClient()} view={view} example={example} modelKey={modelKey} />;
}
