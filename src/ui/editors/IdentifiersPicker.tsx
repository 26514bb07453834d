import { useRef, useState } from 'react';
import { userMessage } from '../../io/user-error';
import { solveRows, trainActions, useTrain } from '../../state/train-store';

/**
 * For an opened reference ARC checkpoint: pick its dataset's identifiers.json, which names the puzzle-embedding
 * row of every augmented version it trained on, and say which rows Solve reads for this task. Nothing shows for
 * other models.
 */
export function IdentifiersPicker({ taskId, disabled }: { taskId: string; disabled: boolean }) {
  const ref = useTrain((s) => s.referenceArc);
  const runId = useTrain((s) => s.run?.id ?? null);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  if (!ref || ref.runId !== runId) return null;
  const rows = solveRows(ref, runId, taskId);
  const pick = async (file: File) => {
    try {
      await trainActions().pickIdentifiers(file);
      setError(null);
    } catch (err) {
      setError(userMessage(err));
    }
  };
  const why = !ref.identifiers ? 'no identifiers.json picked' : `${ref.identifiers.fileName} names no version of it`;
  return (
    <div className="ed-bar" data-testid="arc-identifiers-bar">
      <button type="button" onClick={() => input.current?.click()} disabled={disabled} title={`The checkpoint's puzzle embedding has ${ref.rows.toLocaleString('en')} rows, one per augmented training puzzle: its dataset's identifiers.json names them`}>
        identifiers.json of its dataset…
      </button>
      <input ref={input} type="file" accept=".json,application/json" hidden onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; if (f) void pick(f); }} data-testid="arc-identifiers" />
      <span className="ed-dim" data-testid="arc-rows-mode">
        Solve runs{' '}
        {rows?.named ? `this task's ${rows.versions.length} augmented versions on their own rows (identifiers.json)` : `this task's embedding is unknown: the blank row (${why})`}
      </span>
      {error && (
        <div className="ed-error" role="alert" data-testid="arc-identifiers-error">
          {error}
        </div>
      )}
    </div>
  );
}
