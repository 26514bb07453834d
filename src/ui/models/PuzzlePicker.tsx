import { useEffect, useState } from 'react';
import type { Example } from '../../data/dataset';
import { userMessage } from '../../io/user-error';
import { trainActions, useTrain } from '../../state/train-store';

/** Held-out puzzles offered besides the featured ones. */
const LISTED = 30;

export interface PuzzlePickerProps {
  /** Held-out indices to offer first (the card's featured puzzles: wrong after step 1, right after the last). */
  featured: readonly number[];
  /** The held-out index on screen, or null (a drawn or linked puzzle). */
  current: number | null;
  onPick: (example: Example, index: number) => void;
  onDraw: () => void;
}

/** Pick a held-out puzzle of the current model (featured first), or go draw one. */
export function PuzzlePicker({ featured, current, onPick, onDraw }: PuzzlePickerProps) {
  const runId = useTrain((s) => s.run?.id ?? null);
  const [examples, setExamples] = useState<Example[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!runId) return;
    let live = true;
    trainActions()
      .examples('eval', Math.max(LISTED, ...featured.map((i) => i + 1)))
      .then((ex) => live && setExamples(ex), (err: unknown) => live && setError(userMessage(err)));
    return () => {
      live = false;
    };
  }, [runId, featured]);
  const listed = [...featured.filter((i) => i < examples.length), ...Array.from({ length: Math.min(LISTED, examples.length) }, (_, i) => i).filter((i) => !featured.includes(i))];
  return (
    <span className="mc-puzzles">
      <label>
        puzzle{' '}
        <select
          data-testid="puzzle-picker"
          value={current ?? ''}
          disabled={!examples.length}
          onChange={(e) => {
            const i = Number(e.target.value);
            if (examples[i]) onPick(examples[i], i);
          }}
        >
          {current === null && <option value="">your own</option>}
          {listed.map((i) => (
            <option key={i} value={i}>
              held-out #{i}
              {featured.includes(i) ? ' ★ wrong at step 1, right at the end' : ''}
            </option>
          ))}
        </select>
      </label>
      <button type="button" onClick={onDraw} data-testid="puzzle-draw">
        draw one…
      </button>
      {error && <span className="app-error">{error}</span>}
    </span>
  );
}
