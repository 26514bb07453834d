import { useState } from 'react';
import type { Example } from '../../data/dataset';
import { gridKey, toRows, type ArcTask } from '../../data/grid';
import { userMessage } from '../../io/user-error';
import { solveRows, trainActions, useTrain } from '../../state/train-store';
import type { ArcSolution } from '../../worker/protocol';
import { GridView } from '../grid/GridView';
import { arcColours } from '../grid/symbols';
import { arcPairToExample } from '../puzzle-codec';
import { IdentifiersPicker } from './IdentifiersPicker';
import { useKept } from './kept';

export interface ArcSolvePanelProps {
  task: ArcTask;
  /** The test pair Solve and Watch act on. */
  testIndex: number;
  canvas: number;
  /** Where the panel's state is kept across remounts (the editor's key). */
  keptKey: object;
  /** Watch the model's recursion on the test input (marked for the adapted model when it is adapted to the task). */
  onWatch?: (example: Example) => void;
}

interface SolveState {
  /** The run the model belongs to and the task (without test outputs) the results are for: either changing makes them stale. */
  runId: string | null;
  taskKey: string;
  /** Adapt's puzzle-embedding row for the task, and its steps. */
  adapted: { puzzleId: number; steps: number } | null;
  /** `via`: the puzzle rows the versions read (the blank one, a reference checkpoint's own, or Adapt's). */
  solution: (ArcSolution & { via: keyof typeof VIA }) | null;
  busy: 'adapt' | 'solve' | null;
  progress: { step: number; steps: number; loss: number } | null;
  error: string | null;
}

const VIA = { blank: 'blank puzzle embedding', rows: 'their own rows, identifiers.json', adapted: 'adapted model' } as const;

const IDLE: SolveState = { runId: null, taskKey: '', adapted: null, solution: null, busy: null, progress: null, error: null };

/** What the model's answers depend on: the task's id (a reference checkpoint's rows), the demonstrations and the test inputs (not the test outputs). */
const keyOf = (t: ArcTask) => [t.id, ...t.train.map((p) => `${gridKey(p.input)}>${p.output ? gridKey(p.output) : ''}`), ...t.test.map((p) => gridKey(p.input))].join('|');

const sameRows = (a: number[][], b: number[][]) => a.length === b.length && a.every((r, i) => r.length === b[i].length && r.every((v, j) => v === b[i][j]));

/** The worker keeps one adapted model: that of the last Adapt (any task's). */
let latestAdaptation: SolveState['adapted'] = null;

const message = (err: unknown) => userMessage(err);

/**
 * Solving an ARC task as the paper does: "Adapt" trains the task's puzzle embedding (optionally the whole
 * network) on its demonstrations, with progress; "Solve" runs every augmented version of the test inputs and
 * votes two candidates per input (pass@2), checked against the test output when one is known; "Watch" opens the
 * recursion of the test input.
 */
export function ArcSolvePanel({ task, testIndex, canvas, keptKey, onWatch }: ArcSolvePanelProps) {
  const runId = useTrain((s) => s.run?.id ?? null);
  const referenceArc = useTrain((s) => s.referenceArc);
  const [kept, setKept] = useKept(keptKey, 'solve', () => IDLE);
  const [steps, setSteps] = useKept(keptKey, 'adapt-steps', () => '20');
  const [whole, setWhole] = useState(false);
  const taskKey = keyOf(task);
  // Results of another model or another version of the task are not shown; a running request still is.
  const s = kept.busy || (kept.runId === runId && kept.taskKey === taskKey) ? kept : IDLE;
  const adapted = s.adapted === latestAdaptation ? s.adapted : null;
  const a = trainActions();
  const rows = solveRows(referenceArc, runId, task.id);
  /** The shown state changed, for this model and task. */
  const put = (patch: Partial<SolveState>) => setKept({ ...s, runId, taskKey, ...patch });

  const adapt = async () => {
    const n = Number(steps);
    if (!Number.isInteger(n) || n < 1 || n > 10_000) return put({ error: `adapt steps must be a whole number 1..10000, got "${steps}"` });
    put({ busy: 'adapt', progress: null, error: null });
    try {
      const { puzzleId, ...solution } = await a.adapt(task, n, whole, (step, total, loss) => setKept((k) => ({ ...k, progress: { step, steps: total, loss } })));
      latestAdaptation = { puzzleId, steps: n };
      setKept((k) => ({ ...k, busy: null, adapted: latestAdaptation, solution: { ...solution, via: 'adapted' } }));
    } catch (err) {
      setKept((k) => ({ ...k, busy: null, error: message(err) }));
    }
  };
  const solve = async () => {
    put({ busy: 'solve', progress: null, error: null });
    const via = adapted ? 'adapted' : rows?.named ? 'rows' : 'blank';
    try {
      const solution = await a.solveArc(task, !!adapted);
      setKept((k) => ({ ...k, busy: null, solution: { ...solution, via } }));
    } catch (err) {
      setKept((k) => ({ ...k, busy: null, error: message(err) }));
    }
  };
  const watch = () => {
    try {
      const example = arcPairToExample(task.test[testIndex], canvas, { puzzleId: adapted?.puzzleId ?? 0, where: `test ${testIndex + 1}` });
      onWatch?.(adapted ? a.forAdaptedModel(example) : example);
    } catch (err) {
      put({ error: `cannot watch: ${message(err)}` });
    }
  };

  const target = task.test[testIndex]?.output;
  const truth = target ? toRows(target) : null;
  const candidates = s.solution?.candidates[testIndex] ?? null;
  const solved = truth && candidates ? candidates.some((c) => sameRows(c.grid, truth)) : null;
  return (
    <section className="arc-solve" aria-label="Solve" data-testid="arc-solve-panel">
      <div className="ed-bar">
        <button type="button" onClick={() => void adapt()} disabled={!!s.busy || !runId} data-testid="arc-adapt" title="Test-time training of the task's puzzle embedding on its demonstration pairs (with augmentations), then Solve">
          Adapt
        </button>
        <label>
          steps <input className="arc-size" value={steps} onChange={(e) => setSteps(e.target.value)} aria-label="Adapt steps" data-testid="arc-adapt-steps" />
        </label>
        <label title="Train every weight, not only the puzzle embedding">
          <input type="checkbox" checked={whole} onChange={(e) => setWhole(e.target.checked)} /> whole network
        </label>
        <span className="ed-sep" />
        <button type="button" onClick={() => void solve()} disabled={!!s.busy || !runId} data-testid="arc-solve" title="Solve every augmented version of the test inputs and vote two candidates each (pass@2)">
          Solve test {testIndex + 1}
        </button>
        <button type="button" onClick={watch} disabled={!runId} data-testid="arc-watch" title="The model's recursion on this test input, step by step">
          Watch the recursion ▸
        </button>
      </div>
      <div className="ed-dim" data-testid="arc-model">
        {adapted
          ? `Adapted to this task (${adapted.steps} steps): Solve and Watch use its own puzzle embedding.`
          : rows?.named
            ? "Not adapted: Solve reads the checkpoint's own puzzle rows for this task; Watch, the blank one."
            : 'Not adapted: the model reads a blank puzzle embedding for this task. Adapt to learn one from the demonstrations.'}
      </div>
      <IdentifiersPicker taskId={task.id} disabled={!!s.busy} />
      {s.busy && (
        <div className="arc-progress" role="status" data-testid="arc-progress">
          {s.busy === 'adapt' ? (
            <>
              <progress max={s.progress?.steps ?? 1} value={s.progress?.step ?? 0} />
              {s.progress ? ` adapting: step ${s.progress.step}/${s.progress.steps} · loss ${s.progress.loss.toFixed(3)}` : ' adapting: starting…'}
            </>
          ) : (
            'solving every augmented version…'
          )}
        </div>
      )}
      {s.error && (
        <div className="ed-error" role="alert" data-testid="arc-solve-error">
          {s.error}
        </div>
      )}
      {candidates && s.solution && (
        <div data-testid="arc-candidates">
          <div className="ed-dim">
            Test {testIndex + 1}: {candidates.length} candidate{candidates.length === 1 ? '' : 's'} voted by {s.solution.versions} {s.solution.versions === 1 ? 'version' : 'augmented versions'} ({VIA[s.solution.via]})
          </div>
          <div className="arc-grids">
            {candidates.map((c, k) => {
              const right = truth ? sameRows(c.grid, truth) : null;
              return (
                <figure key={k} data-testid={`arc-candidate-${k}`} data-correct={right === null ? undefined : String(right)}>
                  <figcaption>
                    attempt {k + 1} <span className="ed-dim">· {c.votes}/{s.solution!.versions} votes</span>
                    {right !== null && <div>{right ? <span className="ed-ok">✓ right</span> : <span className="ed-error">✗ wrong</span>}</div>}
                  </figcaption>
                  {c.grid.length && c.grid[0].length ? (
                    <GridView h={c.grid.length} w={c.grid[0].length} cells={c.grid.flat()} symbols={arcColours} maxSize={100} label={`attempt ${k + 1}`} testId={`arc-attempt-${k}`} />
                  ) : (
                    <div className="ed-empty" style={{ width: 100, height: 40 }} data-testid={`arc-attempt-${k}`}>empty grid</div>
                  )}
                </figure>
              );
            })}
            {target && (
              <figure>
                <figcaption>
                  test output <div className="ed-dim">(target)</div>
                </figcaption>
                <GridView h={target.h} w={target.w} cells={target.cells} symbols={arcColours} maxSize={100} label="test output" />
              </figure>
            )}
          </div>
          <div data-testid="arc-verdict">
            {solved === null ? <span className="ed-dim">No test output given: nothing to check the attempts against.</span> : solved ? <span className="ed-ok">pass@2: solved</span> : <span className="ed-error">pass@2: not solved</span>}
          </div>
        </div>
      )}
    </section>
  );
}
