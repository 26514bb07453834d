import { useEffect, useMemo, useReducer, useState, type KeyboardEvent, type ReactNode } from 'react';
import { userMessage } from '../../io/user-error';
import type { RecursionTrace } from '../../trm/trace';
import { isTypingTarget } from '../editors/keys';
import { GridView } from '../grid/GridView';
import { sudokuColours } from '../grid/symbols';
import { checkSeqLen, decodeAnswer, hasTarget, viewBoxes, viewSide, viewSymbols, viewVocabSize, type PuzzleView } from '../puzzle-codec';
import { continuesTrace, frameReadout, indexTrace, navigate, paneAt, scoreCells, stepEnd, wrongCells, type PaneFrame } from './frames';
import { HaltStrip } from './HaltStrip';
import { autoplayFps, initialPlayback, playbackReducer, SPEEDS } from './playback';
import './viewer.css';

export interface RecursionViewerProps {
  trace: RecursionTrace;
  /** How the tokens read: Sudoku digits, maze cells or an ARC canvas (puzzleViewOf(config.data)). */
  view: PuzzleView;
  /** The example's input tokens. */
  input: ArrayLike<number>;
  /** The example's labels; absent or all IGNORE_LABEL means no target. */
  target?: ArrayLike<number> | null;
  /** Play from the first frame when a trace arrives (otherwise show the final answer). */
  autoPlay?: boolean;
  /** Pixels for the larger side of each grid (default 220). */
  gridSize?: number;
  onFrameChange?: (frame: number) => void;
  /** Shown under the viewer, about the same model and puzzle: the place for the research probes (ProbesPanel). */
  below?: ReactNode;
}

/** Why this trace cannot be shown with this view and input, or null. */
function mismatch(p: RecursionViewerProps): string | null {
  try {
    checkSeqLen(p.view, p.input);
    if (p.target) checkSeqLen(p.view, p.target);
  } catch (e) {
    return userMessage(e);
  }
  const side = viewSide(p.view);
  if (p.trace.seqLen !== side * side) return `the trace has ${p.trace.seqLen} positions, the puzzle ${side * side}: it comes from another model`;
  if (p.trace.vocabSize !== viewVocabSize(p.view)) return `the trace's vocabulary has ${p.trace.vocabSize} tokens, a ${p.view.kind} needs ${viewVocabSize(p.view)}`;
  if (!p.trace.frames.length) return 'the trace has no frames';
  return null;
}

/**
 * The model's refinement of one puzzle: the answer y and the latent z after every update, both decoded through
 * lm_head (y reads as a solution, z does not), with confidence, changes, the target, and q_halt per step.
 * Keys (when focused): ←/→ frame, Shift+←/→ or PageUp/PageDown supervision step, Home/End, Space play/pause.
 */
export function RecursionViewer(props: RecursionViewerProps) {
  const error = mismatch(props);
  if (error) return <div className="rv-error" role="alert" data-testid="viewer-error">Cannot show this trace: {error}</div>;
  return <ViewerBody {...props} />;
}

function ViewerBody({ trace, view, input, target, autoPlay, gridSize = 220, onFrameChange, below }: RecursionViewerProps) {
  const idx = useMemo(() => indexTrace(trace), [trace]);
  // Autoplay paces the whole trace (it may still be streaming in) to a few seconds.
  const [pb, dispatch] = useReducer(playbackReducer, trace.frames.length, (n) =>
    autoPlay ? { ...initialPlayback(n, autoplayFps(trace.nSup * trace.T * (trace.n + 1))), frame: 0, playing: n > 1 } : initialPlayback(n));
  const [show, setShow] = useState({ numbers: false, confidence: true, changes: true, errors: true });
  const [loaded, setLoaded] = useState(trace);
  if (loaded !== trace) {
    // A new trace: restart playback during render so no frame index from the old trace is ever used. The same
    // trace grown by streamed frames keeps its place.
    setLoaded(trace);
    if (continuesTrace(loaded, trace)) dispatch({ type: 'grow', count: trace.frames.length, play: autoPlay });
    else dispatch({ type: 'load', count: trace.frames.length, frame: autoPlay ? 0 : undefined, play: autoPlay });
  }
  const frameNo = Math.min(pb.frame, idx.count - 1);

  useEffect(() => {
    if (!pb.playing) return;
    const id = setInterval(() => dispatch({ type: 'tick' }), 1000 / pb.fps);
    return () => clearInterval(id);
  }, [pb.playing, pb.fps]);
  useEffect(() => onFrameChange?.(frameNo), [frameNo, onFrameChange]);

  const labels = target && hasTarget(target) ? target : null;
  const frame = trace.frames[frameNo];
  const y = paneAt(trace, idx, frameNo, 'y');
  const z = paneAt(trace, idx, frameNo, 'z');
  const side = viewSide(view);
  // Stable across frames, so the memoised input and target grids do not re-render while playing.
  // Sudoku digits as ARC colours, like every other grid here; "numbers" writes the digits.
  const symbols = useMemo(() => (view.kind === 'sudoku' ? sudokuColours(view.size) : viewSymbols(view)), [view]);
  const boxes = useMemo(() => viewBoxes(view), [view]);
  const common = { h: side, w: side, symbols, boxes, maxSize: gridSize, showNumbers: show.numbers };
  const yWrong = useMemo(() => (y && labels ? wrongCells(y.frame.tokens, labels) : null), [y?.frame, labels]);
  const zWrong = useMemo(() => (z && labels ? wrongCells(z.frame.tokens, labels) : null), [z?.frame, labels]);

  const onKey = (e: KeyboardEvent) => {
    if (isTypingTarget(e.target)) return;
    if (e.key === ' ') {
      const el = e.target as HTMLInputElement;
      if (el.tagName === 'BUTTON' || el.type === 'checkbox') return; // Space presses or ticks it
      e.preventDefault();
      dispatch({ type: 'toggle' });
      return;
    }
    const to = navigate(idx, frameNo, e);
    if (to === null) return;
    e.preventDefault(); // also stops the range input's own arrow handling, so a key moves exactly one frame
    dispatch({ type: 'seek', frame: to });
  };

  const pane = (title: string, p: PaneFrame | null, kind: 'y' | 'z', wrong: Uint8Array | null) => {
    const score = p && labels ? scoreCells(p.frame.tokens, labels) : null;
    return (
      <div className={`rv-pane${p?.fresh ? ' rv-fresh' : ''}`} data-testid={`viewer-${kind}`}>
        <div className="rv-pane-title">
          {title}
          {p && <span className="rv-dim"> · s{p.frame.supStep} c{p.frame.cycle} u{p.frame.update}</span>}
        </div>
        {p ? (
          <GridView
            {...common}
            cells={p.frame.tokens}
            confidence={show.confidence ? p.frame.confidence : null}
            changed={show.changes ? p.changed : null}
            wrong={show.errors ? wrong : null}
            label={`${title} at ${frameReadout(trace, p.frame)}`}
          />
        ) : (
          <div className="rv-empty" style={{ width: gridSize, height: gridSize }}>no {kind} update yet</div>
        )}
        <div className="rv-pane-foot">
          {p && `mean p ${mean(p.frame.confidence).toFixed(2)}`}
          {p && p.changed && ` · ${count(p.changed)} changed`}
          {score && ` · ${score.right}/${score.total} right`}
          {p && kind === 'y' && view.kind === 'arc' && ` · decodes to ${answerShape(view, p.frame.tokens)}`}
        </div>
      </div>
    );
  };

  const step = trace.steps[frame.supStep - 1];
  return (
    <section className="rv" tabIndex={0} onKeyDown={onKey} aria-label="Recursion viewer" data-testid="recursion-viewer">
      <header className="rv-head">
        <output className="rv-readout" data-testid="viewer-readout" data-frame={frameNo} data-frames={trace.frames.length}>
          {frameReadout(trace, frame)}
        </output>
        {trace.steps.length < trace.nSup && (
          <span className="rv-live" data-testid="viewer-live">
            {' '}· running: {trace.steps.length}/{trace.nSup} supervision steps so far
          </span>
        )}
        {step && (
          <span className="rv-dim">
            {' '}· σ(q_halt) {step.haltProb.toFixed(3)}
            {step.correct !== null && (step.correct ? ' · step answer correct' : ` · step answer wrong (${step.correctCells} cells right)`)}
          </span>
        )}
      </header>
      <p className="rv-caption" data-testid="viewer-caption">
        TRM refines its answer <b>y</b> and its latent <b>z</b> (both decoded through the output head) over {trace.nSup} supervision steps, each {trace.T} cycles of {trace.n} z updates and one y update; <b>q</b> = σ(q_halt), its confidence that y is right.
      </p>
      <div className="rv-panes">
        <div className="rv-pane" data-testid="viewer-input">
          <div className="rv-pane-title">input</div>
          <GridView {...common} cells={input} label="input" />
        </div>
        {pane('answer y', y, 'y', yWrong)}
        {pane('latent z', z, 'z', zWrong)}
        <div className="rv-pane" data-testid="viewer-target">
          <div className="rv-pane-title">target</div>
          {labels ? <GridView {...common} cells={labels} label="target" /> : <div className="rv-empty" style={{ width: gridSize, height: gridSize }}>no target</div>}
        </div>
      </div>
      <div className="rv-controls">
        <button type="button" onClick={() => dispatch({ type: 'seek', frame: 0 })} aria-label="First frame (Home)" title="First frame (Home)">«</button>
        <button type="button" onClick={() => dispatch({ type: 'seek', frame: frameNo - 1 })} aria-label="Previous frame (←)" title="Previous frame (←)">‹</button>
        <button type="button" onClick={() => dispatch({ type: 'toggle' })} aria-label={pb.playing ? 'Pause (Space)' : 'Play (Space)'} title={pb.playing ? 'Pause (Space)' : 'Play (Space)'} data-testid="viewer-play">
          {pb.playing ? '❚❚' : '▶'}
        </button>
        <button type="button" onClick={() => dispatch({ type: 'seek', frame: frameNo + 1 })} aria-label="Next frame (→)" title="Next frame (→)">›</button>
        <button type="button" onClick={() => dispatch({ type: 'seek', frame: idx.count - 1 })} aria-label="Last frame (End)" title="Last frame (End)">»</button>
        <label className="rv-scrub">
          <span className="rv-sr">Frame</span>
          <input type="range" min={0} max={idx.count - 1} value={frameNo} onChange={(e) => dispatch({ type: 'seek', frame: Number(e.target.value) })} data-testid="viewer-scrubber" />
          <span className="rv-dim">
            {frameNo + 1}/{idx.count}
          </span>
        </label>
        <label>
          speed{' '}
          <select value={pb.fps} onChange={(e) => dispatch({ type: 'speed', fps: Number(e.target.value) })}>
            {SPEEDS.map((s) => (
              <option key={s} value={s}>
                {s} frames/s
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="rv-foot">
        <HaltStrip steps={trace.steps} current={frame.supStep} onPick={(s) => dispatch({ type: 'seek', frame: stepEnd(idx, s) })} />
        <fieldset className="rv-toggles">
          <legend className="rv-sr">Display</legend>
          {(
            [
              ['numbers', 'numbers (digits, colour numbers)'],
              ['confidence', 'confidence (hatched = unsure)'],
              ['changes', 'changed cells'],
              ['errors', 'cells wrong vs target'],
            ] as const
          ).map(([k, text]) => (
            <label key={k}>
              <input type="checkbox" checked={show[k]} onChange={(e) => setShow({ ...show, [k]: e.target.checked })} /> {text}
            </label>
          ))}
        </fieldset>
      </div>
      {below}
    </section>
  );
}

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return a.length ? s / a.length : 0;
}

function count(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] ? 1 : 0;
  return s;
}

function answerShape(view: PuzzleView, tokens: ArrayLike<number>): string {
  const g = decodeAnswer(view, tokens);
  return `${g.h}×${g.w}`;
}
