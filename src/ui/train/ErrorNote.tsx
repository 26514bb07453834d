import { trainActions, useTrain } from '../../state/train-store';
import type { ErrorSlot } from '../../state/train-model';

/** The error of one part of the dashboard, shown where it arose, until dismissed or resolved; one item per line. */
export function ErrorNote({ slot }: { slot: ErrorSlot }) {
  const msg = useTrain((s) => s.errors[slot]);
  const clear = trainActions().clearError;
  if (!msg) return null;
  return (
    <div className="td-error" role="alert" data-testid={`train-error-${slot}`}>
      {msg.includes('\n') ? (
        <ul className="td-lines">
          {msg.split('\n').map((line, i) => (
            <li key={i}>{line}</li>
          ))}
        </ul>
      ) : (
        <span>{msg}</span>
      )}
      <button type="button" className="td-x" aria-label="Dismiss" title="Dismiss" onClick={() => clear(slot)}>
        ×
      </button>
    </div>
  );
}
