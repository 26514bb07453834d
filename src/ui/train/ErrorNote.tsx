import { trainActions, useTrain } from '../../state/train-store';
import type { ErrorSlot } from '../../state/train-model';

/** The error of one part of the dashboard, shown where it arose, until dismissed or resolved. */
export function ErrorNote({ slot }: { slot: ErrorSlot }) {
  const msg = useTrain((s) => s.errors[slot]);
  const clear = trainActions().clearError;
  if (!msg) return null;
  return (
    <div className="td-error" role="alert" data-testid={`train-error-${slot}`}>
      <span>{msg}</span>
      <button type="button" className="td-x" aria-label="Dismiss" title="Dismiss" onClick={() => clear(slot)}>
        ×
      </button>
    </div>
  );
}
