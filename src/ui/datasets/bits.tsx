import type { LoadError, LoadingState } from './collection';
import { useDatasets } from './store';

/** An error beside what caused it, kept until dismissed. */
export function ErrorLine({ error }: { error: LoadError }) {
  const dispatch = useDatasets((s) => s.dispatch);
  return (
    <div className="ds-error" role="alert" data-testid="datasets-error" data-origin={error.origin}>
      <span className="ds-error-text">{error.message}</span>
      <button type="button" className="ds-icon" aria-label={`Dismiss error for ${error.origin}`} title="Dismiss" onClick={() => dispatch({ type: 'dismiss-error', origin: error.origin })}>
        ×
      </button>
    </div>
  );
}

const mb = (bytes: number) => (bytes < 1e6 ? `${Math.round(bytes / 1e3)} kB` : `${(bytes / 1e6).toFixed(1)} MB`);

export function ProgressLine({ state }: { state: LoadingState }) {
  const parts = [state.total ? `${state.done}/${state.total} files` : 'starting'];
  if (state.bytes !== undefined) parts.push(mb(state.bytes));
  if (state.cached) parts.push('from cache');
  return (
    <div className="ds-progress" role="status" aria-live="polite">
      <progress max={state.total || 1} value={state.total ? state.done : undefined} />
      <span>{parts.join(' · ')}</span>
    </div>
  );
}
