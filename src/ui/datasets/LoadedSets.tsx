import type { CollectionView } from './collection';
import { useDatasets } from './store';

export interface LoadedSetsProps {
  view: CollectionView;
  /** The set the browser is filtered to ('all' for none). */
  shown: string;
  onShow(origin: string): void;
}

/** What is loaded: each set with its size, split role and ids it shares with earlier sets; remove or filter to one. */
export function LoadedSets({ view, shown, onShow }: LoadedSetsProps) {
  const sets = useDatasets((s) => s.sets);
  const dispatch = useDatasets((s) => s.dispatch);
  return (
    <section className="ds-section" aria-labelledby="ds-sets-h">
      <header className="ds-section-head">
        <h3 id="ds-sets-h">
          Collection <span className="ds-muted">{view.entries.length} items</span>
        </h3>
        {sets.length > 1 && (
          <button type="button" className="ds-link" onClick={() => dispatch({ type: 'clear' })}>
            Remove all
          </button>
        )}
      </header>
      {sets.length === 0 && <p className="ds-muted">Nothing loaded yet.</p>}
      <ul className="ds-rows" data-testid="datasets-sets">
        {sets.map((s) => {
          const dup = view.duplicates.get(s.origin) ?? 0;
          return (
            <li key={s.origin} className={shown === s.origin ? 'ds-row ds-row-on' : 'ds-row'}>
              <div className="ds-row-main">
                <button type="button" className="ds-row-title ds-link" title={[s.title, ...s.sources.slice(0, 5)].join('\n')} aria-pressed={shown === s.origin} onClick={() => onShow(shown === s.origin ? 'all' : s.origin)}>
                  {s.title}
                </button>
                <span className={`ds-role ds-role-${s.role}`}>{s.role === 'none' ? '' : s.role}</span>
                <span className="ds-muted" title={dup ? `${dup} ids already came from an earlier set; those items are shown once` : undefined}>
                  {s.items.length - dup}
                  {dup ? ` (+${dup} dup)` : ''}
                </span>
                <button type="button" className="ds-icon" aria-label={`Remove ${s.title}`} title="Remove" onClick={() => dispatch({ type: 'remove-set', origin: s.origin })}>
                  ×
                </button>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
