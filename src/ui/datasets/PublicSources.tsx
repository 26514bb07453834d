import { ARC_SOURCES, type TextCache } from '../../data/arc-sources';
import { ErrorLine, ProgressLine } from './bits';
import { PUBLIC_ROLES, PUBLIC_SOURCE_IDS, publicSourceUrls } from './loaders';
import { loadPublic, useDatasets, type PublicLoadDeps } from './store';

export interface PublicSourcesProps extends PublicLoadDeps {
  /** Offered as "Clear cache" when it can be cleared. */
  cache?: TextCache & { clear?: () => Promise<void> | void };
}

/** The public ARC sources: load (or reload) each from its URL with progress, its error right under it. */
export function PublicSources({ fetch, cache }: PublicSourcesProps) {
  const sets = useDatasets((s) => s.sets);
  const errors = useDatasets((s) => s.errors);
  const loading = useDatasets((s) => s.loading);
  const cacheError = errors.find((e) => e.origin === 'cache');
  return (
    <section className="ds-section" aria-labelledby="ds-public-h">
      <header className="ds-section-head">
        <h3 id="ds-public-h">Public datasets</h3>
        {cache?.clear && (
          <button type="button" className="ds-link" title="Forget downloaded files; the next load fetches again" onClick={() => void cache.clear?.()}>
            Clear cache
          </button>
        )}
      </header>
      <ul className="ds-rows">
        {PUBLIC_SOURCE_IDS.map((id) => {
          const src = ARC_SOURCES[id];
          const loaded = sets.find((s) => s.origin === id);
          const busy = loading[id];
          const error = errors.find((e) => e.origin === id);
          const urls = publicSourceUrls(id);
          return (
            <li key={id} className="ds-row" data-testid={`datasets-source-${id}`}>
              <div className="ds-row-main">
                <span className="ds-row-title" title={`${src.upstream} (${src.license})\n${urls.length > 2 ? `${urls.length} task files` : urls.join('\n')}`}>
                  {src.title}
                </span>
                <span className={`ds-role ds-role-${PUBLIC_ROLES[id]}`}>{PUBLIC_ROLES[id] === 'none' ? '' : PUBLIC_ROLES[id]}</span>
                {loaded && !busy && <span className="ds-ok">{loaded.items.length} loaded</span>}
                <button type="button" disabled={!!busy} onClick={() => void loadPublic(id, { fetch, cache })} aria-label={`${loaded ? 'Reload' : 'Load'} ${src.title}`}>
                  {busy ? 'Loading…' : loaded ? 'Reload' : 'Load'}
                </button>
              </div>
              {busy && <ProgressLine state={busy} />}
              {error && <ErrorLine error={error} />}
            </li>
          );
        })}
      </ul>
      {cacheError && <ErrorLine error={cacheError} />}
    </section>
  );
}
