import { useRef } from 'react';
import { ErrorLine } from './bits';
import { loadLocal, useDatasets } from './store';

/**
 * Local files: pick files or a folder (drop anywhere on the panel works too). Each file that fails to parse is
 * listed with the parser's message until dismissed; the files that parsed load regardless.
 */
export function LocalFiles({ dragging }: { dragging: boolean }) {
  const files = useRef<HTMLInputElement>(null);
  const folder = useRef<HTMLInputElement>(null);
  const busy = useDatasets((s) => s.loading.local);
  const errors = useDatasets((s) => s.errors).filter((e) => e.kind === 'local');
  const dispatch = useDatasets((s) => s.dispatch);
  const pick = (input: HTMLInputElement | null) => {
    if (!input?.files?.length) return;
    const list = Array.from(input.files);
    input.value = ''; // picking the same file again (after fixing it) must fire change again
    void loadLocal(list);
  };
  return (
    <section className="ds-section" aria-labelledby="ds-local-h">
      <header className="ds-section-head">
        <h3 id="ds-local-h">Local files</h3>
        {errors.length > 1 && (
          <button type="button" className="ds-link" onClick={() => errors.forEach((e) => dispatch({ type: 'dismiss-error', origin: e.origin }))}>
            Dismiss all
          </button>
        )}
      </header>
      <div className={dragging ? 'ds-drop ds-drop-on' : 'ds-drop'}>
        <p>
          Drop ARC task <code>.json</code>, Kaggle <code>*_challenges.json</code> + <code>*_solutions.json</code>, sudoku or maze <code>.txt</code> files or folders here
        </p>
        <div className="ds-drop-buttons">
          <button type="button" onClick={() => files.current?.click()}>
            Choose files…
          </button>
          <button type="button" onClick={() => folder.current?.click()}>
            Choose folder…
          </button>
        </div>
        <input ref={files} type="file" multiple hidden accept=".json,.txt,.text,.maze,.sudoku,.sdk" aria-label="Choose dataset files" data-testid="datasets-file-input" onChange={(e) => pick(e.currentTarget)} />
        <input
          ref={(el) => {
            folder.current = el;
            el?.setAttribute('webkitdirectory', '');
          }}
          type="file"
          hidden
          aria-label="Choose a dataset folder"
          data-testid="datasets-folder-input"
          onChange={(e) => pick(e.currentTarget)}
        />
        {busy && <p className="ds-muted" role="status">Reading {busy.total} file{busy.total === 1 ? '' : 's'}…</p>}
      </div>
      {errors.map((e) => (
        <ErrorLine key={e.origin} error={e} />
      ))}
    </section>
  );
}
