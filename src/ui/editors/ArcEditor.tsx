import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Example } from '../../data/dataset';
import type { ArcTask, Grid } from '../../data/grid';
import { userMessage } from '../../io/user-error';
import { GridView } from '../grid/GridView';
import { arcColours } from '../grid/symbols';
import type { PuzzleView } from '../puzzle-codec';
import { activeGrid, arcEditorReducer, arcKeyAction, arcPointerAction, currentTask, describeRef, initialArcEditor, parseSizeField, sameRef, solveIndex, type ArcAction, type ArcTool, type GridRef, type Section } from './arc-editor';
import { ArcSolvePanel } from './ArcSolvePanel';
import { taskFileName, taskFromFile, taskToJson } from './arc-task-json';
import { useKept } from './kept';
import { isTypingTarget } from './keys';
import { Palette } from './Palette';
import './editors.css';

export interface ArcSolveRequest {
  /** The chosen test pair encoded on the model's canvas (labels from its output when it has one). */
  example: Example;
  task: ArcTask;
  testIndex: number;
  view: PuzzleView;
}

export interface ArcEditorProps {
  /**
   * The task to start from (blank by default). Give the component a new React key to load another one. The
   * edits (and Adapt/Solve results) made from one starting task are kept when the editor unmounts and remounts.
   */
  initialTask?: ArcTask;
  /** The model's canvas side (config.data.canvas); Solve encodes on it and says when a grid does not fit. */
  canvas: number;
  /** "Watch the recursion" pressed: trace the example (marked for the adapted model after Adapt). */
  onSolve?: (req: ArcSolveRequest) => void;
  onTaskChange?: (task: ArcTask) => void;
}

/** Where the blank editor's work is kept. */
const BLANK = {};

const TOOLS: [ArcTool, string, string][] = [
  ['draw', 'Draw', 'D'],
  ['select', 'Select', 'S'],
  ['fill', 'Flood fill', 'F'],
];

/**
 * ARC task editor: demonstration pairs and test pairs, each grid editable with the ARC interface's tools plus
 * undo/redo; import/export ARC JSON; Adapt, Solve with voting (pass@2) and the recursion of the current test pair
 * (ArcSolvePanel). Keys act while the editor has focus (clicking a grid gives it focus).
 */
export function ArcEditor({ initialTask, canvas, onSolve, onTaskChange }: ArcEditorProps) {
  const keptKey = initialTask ?? BLANK;
  const [s, setState] = useKept(keptKey, 'editor', () => initialArcEditor(initialTask));
  const dispatch = useCallback((a: ArcAction) => setState((prev) => arcEditorReducer(prev, a)), [setState]);
  const [numbers, setNumbers] = useState(false);
  /** Import failures, shown beside the button. */
  const [barError, setBarError] = useState<string | null>(null);
  const root = useRef<HTMLElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const doc = s.history.present;
  const active = activeGrid(s);
  const [sizeText, setSizeText] = useState(`${active.h}x${active.w}`);
  useEffect(() => setSizeText(`${active.h}x${active.w}`), [active.h, active.w, doc.active]);
  useEffect(() => onTaskChange?.({ ...doc.task, id: s.name }), [doc.task, s.name, onTaskChange]);

  const pointer = (ref: GridRef, phase: 'down' | 'drag') => (r: number, c: number) => {
    if (phase === 'down') root.current?.focus({ preventScroll: true });
    const a = arcPointerAction(s, ref, r, c, phase);
    if (a) dispatch(a);
  };
  const onKey = (e: KeyboardEvent) => {
    if (isTypingTarget(e.target)) return;
    const a = arcKeyAction(e, s);
    if (!a) return;
    e.preventDefault();
    dispatch(a);
  };
  const resize = () => {
    const size = parseSizeField(sizeText);
    dispatch(size ? { type: 'resize', ...size } : { type: 'notice', notice: `"${sizeText}" is not a size: write HxW, e.g. 3x4` });
  };
  const importFile = async (file: File) => {
    try {
      const { task, others } = taskFromFile(file.name, await file.text());
      dispatch({ type: 'load', task, notice: others ? `loaded task ${task.id}; the file holds ${others} more (use the dataset browser for all of them)` : `loaded ${file.name}` });
      setBarError(null);
    } catch (e) {
      setBarError(userMessage(e));
    }
  };
  const exportFile = () => {
    const task = currentTask(s);
    const url = URL.createObjectURL(new Blob([taskToJson(task)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = taskFileName(task);
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  };

  const editable = (ref: GridRef, g: Grid | undefined, caption: string) => {
    const sel = doc.selection && sameRef(doc.selection.ref, ref) ? doc.selection : null;
    const testId = `arc-${ref.side}`;
    return (
      <figure>
        <figcaption>
          {caption} <span className="ed-dim">{g ? `${g.h}×${g.w}` : ''}</span>
        </figcaption>
        {g ? (
          <GridView h={g.h} w={g.w} cells={g.cells} symbols={arcColours} maxSize={360} showNumbers={numbers} selection={sel} active={sameRef(doc.active, ref)} onCellDown={pointer(ref, 'down')} onCellDrag={pointer(ref, 'drag')} label={describeRef(ref)} testId={testId} />
        ) : (
          <div className="ed-empty" style={{ width: 200, height: 120 }}>
            <button type="button" onClick={() => dispatch({ type: 'testOutput', index: ref.index, present: true })}>
              Add a test output
            </button>
          </div>
        )}
      </figure>
    );
  };

  const pairList = (section: Section) => (
    <>
      <h4>{section === 'train' ? 'Demonstrations' : 'Test'}</h4>
      {doc.task[section].map((p, i) => {
        const on = doc.active.section === section && doc.active.index === i;
        return (
          <div key={i} className={`arc-pair${on ? ' arc-pair-on' : ''}`} onClick={() => dispatch({ type: 'activate', ref: { section, index: i, side: 'input' } })} data-testid={`arc-pair-${section}-${i}`}>
            <span className="ed-dim">{i + 1}</span>
            <GridView h={p.input.h} w={p.input.w} cells={p.input.cells} symbols={arcColours} maxSize={56} label={`${section} ${i + 1} input thumbnail`} />
            <span className="arc-arrow">→</span>
            {p.output ? <GridView h={p.output.h} w={p.output.w} cells={p.output.cells} symbols={arcColours} maxSize={56} label={`${section} ${i + 1} output thumbnail`} /> : <span className="ed-dim">?</span>}
            <button
              type="button"
              title={`Remove ${section === 'train' ? 'demonstration' : 'test'} ${i + 1}`}
              aria-label={`Remove ${section === 'train' ? 'demonstration' : 'test'} ${i + 1}`}
              onClick={(e) => {
                e.stopPropagation();
                dispatch({ type: 'removePair', section, index: i });
              }}
            >
              ✕
            </button>
          </div>
        );
      })}
      <button type="button" onClick={() => dispatch({ type: 'addPair', section })}>
        + {section === 'train' ? 'demonstration' : 'test input'}
      </button>
    </>
  );

  const pair = doc.task[doc.active.section][doc.active.index];
  const task = currentTask(s);
  const testIndex = solveIndex(s);
  const act = (a: ArcAction) => () => dispatch(a);
  const testOutputToggle = doc.active.section === 'test' && (
    <label>
      <input type="checkbox" checked={!!pair.output} onChange={(e) => dispatch({ type: 'testOutput', index: doc.active.index, present: e.target.checked })} /> known test output (target)
    </label>
  );
  return (
    <section ref={root} className="ed arc-ed" tabIndex={0} onKeyDown={onKey} aria-label="ARC task editor" data-testid="arc-editor">
      <div className="ed-bar">
        <label>
          task <input value={s.name} onChange={(e) => dispatch({ type: 'rename', name: e.target.value })} aria-label="Task name" size={14} />
        </label>
        <button type="button" onClick={() => fileInput.current?.click()} title="Load an ARC task JSON file">
          Import JSON…
        </button>
        <input ref={fileInput} type="file" accept=".json,application/json" hidden onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; if (f) void importFile(f); }} data-testid="arc-import" />
        <button type="button" onClick={exportFile} title="Download the task as ARC JSON">
          Export JSON
        </button>
        {barError && (
          <span className="ed-error" role="alert" data-testid="arc-error">
            {barError}
          </span>
        )}
      </div>
      <div className="ed-main">
        <aside className="arc-pairs">
          {pairList('train')}
          {pairList('test')}
        </aside>
        <div className="arc-work">
          <div className="ed-bar">
            <span className="ed-tools" role="group" aria-label="Tool">
              {TOOLS.map(([tool, label, key]) => (
                <button key={tool} type="button" aria-pressed={s.tool === tool} onClick={act({ type: 'tool', tool })} title={`${label} (${key})`} data-testid={`tool-${tool}`}>
                  {label}
                </button>
              ))}
            </span>
            <Palette colour={s.colour} onPick={(colour) => dispatch({ type: 'colour', colour })} showNumbers={numbers} />
            <label>
              <input type="checkbox" checked={numbers} onChange={(e) => setNumbers(e.target.checked)} /> symbol numbers
            </label>
          </div>
          <div className="ed-bar">
            <button type="button" onClick={act({ type: 'transform', t: 'flipX' })} title="Mirror left-right: the selection, else the grid (X)">Flip X</button>
            <button type="button" onClick={act({ type: 'transform', t: 'flipY' })} title="Mirror up-down: the selection, else the grid (Y)">Flip Y</button>
            <button type="button" onClick={act({ type: 'transform', t: 'rotateCw' })} title="Rotate clockwise (R)">Rotate ⟳</button>
            <button type="button" onClick={act({ type: 'transform', t: 'rotateCcw' })} title="Rotate anticlockwise (Shift+R)">Rotate ⟲</button>
            <button type="button" onClick={act({ type: 'copy' })} title="Copy the selection, else the whole grid (C)">Copy</button>
            <button type="button" onClick={act({ type: 'paste' })} title="Paste with its top-left at the selected cell (V)">Paste</button>
            <span className="ed-dim" title="Arrow keys move the selection; Delete clears it; Esc drops it">move: arrows</span>
            <span className="ed-sep" />
            <button type="button" onClick={act({ type: 'undo' })} disabled={!s.history.past.length} title="Undo (Ctrl+Z)" data-testid="arc-undo">Undo</button>
            <button type="button" onClick={act({ type: 'redo' })} disabled={!s.history.future.length} title="Redo (Ctrl+Shift+Z)" data-testid="arc-redo">Redo</button>
          </div>
          <div className="arc-grids">
            {editable({ ...doc.active, side: 'input' }, pair.input, `${doc.active.section === 'train' ? 'Demonstration' : 'Test'} ${doc.active.index + 1} input`)}
            {editable({ ...doc.active, side: 'output' }, pair.output, 'output')}
          </div>
          <div className="ed-bar">
            <label>
              size of {describeRef(doc.active)}{' '}
              <input className="arc-size" value={sizeText} onChange={(e) => setSizeText(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && resize()} aria-label="Grid size HxW" data-testid="arc-size" />
            </label>
            <button type="button" onClick={resize} title="Resize the active grid (1..30 per side; content kept at the top-left)">Resize</button>
            <button type="button" onClick={act({ type: 'copyFromInput' })} title="Set this pair's output to a copy of its input">Copy from input</button>
            <button type="button" onClick={act({ type: 'reset' })} title="Clear the active grid to colour 0">Reset grid</button>
            {testOutputToggle}
          </div>
          <div className="ed-notice" role="status" data-testid="arc-notice">
            {s.notice}
          </div>
        </div>
      </div>
      <ArcSolvePanel task={task} testIndex={testIndex} canvas={canvas} keptKey={keptKey} onWatch={(example) => onSolve?.({ example, task, testIndex, view: { kind: 'arc', canvas } })} />
    </section>
  );
}
