import { useEffect } from 'react';
import type { Example } from '../../data/dataset';
import { modelActions, useModels } from '../../state/model-store';
import { useTrain } from '../../state/train-store';
import { ModelCardView } from './ModelCardView';
import { PuzzlePicker } from './PuzzlePicker';
import './models.css';

export interface ModelBarProps {
  /** The held-out index on screen, or null. */
  puzzle: number | null;
  onPuzzle: (example: Example, index: number) => void;
  onDraw: () => void;
}

/** Above the viewer: the shipped model on screen (pick another; its card), and the puzzle it runs on. */
export function ModelBar({ puzzle, onPuzzle, onDraw }: ModelBarProps) {
  const cards = useModels((s) => s.cards);
  const opened = useModels((s) => s.opened);
  const opening = useModels((s) => s.opening);
  const error = useModels((s) => s.error);
  const runId = useTrain((s) => s.run?.id ?? null);
  useEffect(() => {
    void modelActions().loadCatalog().catch(() => undefined); // the error shows below
  }, []);
  const shipped = opened && opened.runId === runId ? cards?.find((c) => c.id === opened.id) ?? null : null;
  return (
    <div className="mc-bar" data-testid="model-bar">
      <div className="mc-row">
        <label>
          model{' '}
          <select data-testid="model-picker" value={opening ?? shipped?.id ?? ''} disabled={!cards || opening !== null} onChange={(e) => void modelActions().open(e.target.value)}>
            {!shipped && !opening && <option value="">your run</option>}
            {cards?.map((c) => (
              <option key={c.id} value={c.id}>
                {c.title}
              </option>
            ))}
          </select>
        </label>
        {shipped && <span className="app-muted mc-desc">{shipped.description}</span>}
        {opening && <span className="app-muted">opening {opening}…</span>}
        <PuzzlePicker featured={shipped?.featured ?? []} current={puzzle} onPick={onPuzzle} onDraw={onDraw} />
      </div>
      {error && <p className="app-error" role="alert">{error}</p>}
      {shipped && (
        <details className="mc-details">
          <summary data-testid="model-card-toggle">model card: {shipped.title}</summary>
          <ModelCardView card={shipped} />
        </details>
      )}
    </div>
  );
}
