import { useEffect, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import { gridMove, pageOf, type DatasetSet, type Entry, type ItemFilter, type SortKey } from './collection';
import { itemStats } from './items';
import { ItemThumb } from './Thumbs';

export interface TaskBrowserProps {
  /** Filtered and sorted entries. */
  entries: readonly Entry[];
  /** Items in the whole collection, for "n of N". */
  total: number;
  sets: readonly DatasetSet[];
  filter: ItemFilter;
  onFilter(filter: ItemFilter): void;
  sort: SortKey;
  onSort(sort: SortKey): void;
  selectedKey?: string;
  onOpen(entry: Entry): void;
  pageSize: number;
  /** Thumbnail side in CSS pixels. */
  thumbBox: number;
  searchRef: RefObject<HTMLInputElement | null>;
}

const bound = (text: string) => (text.trim() === '' || !Number.isFinite(Number(text)) ? undefined : Number(text));

/** Filter bar, a page of thumbnails (arrow keys move, Enter opens, PageUp/PageDown turn pages) and a pager. */
export function TaskBrowser(p: TaskBrowserProps) {
  const [page, setPage] = useState(0);
  const [focus, setFocus] = useState(0);
  const [bounds, setBounds] = useState({ minSide: '', maxSide: '', maxColours: '' });
  const list = useRef<HTMLOListElement>(null);
  const { filter, sort } = p;
  useEffect(() => {
    setPage(0);
    setFocus(0);
  }, [filter, sort]);
  const shown = pageOf(p.entries, page, p.pageSize);

  const setBound = (key: keyof typeof bounds, text: string) => {
    setBounds({ ...bounds, [key]: text });
    p.onFilter({ ...filter, [key]: bound(text) });
  };
  const focusAt = (i: number) => {
    setFocus(i);
    (list.current?.children[i] as HTMLElement | undefined)?.focus();
  };
  const turn = (to: number, at: number) => {
    const next = pageOf(p.entries, to, p.pageSize);
    setPage(next.page);
    setFocus(Math.min(at, next.items.length - 1));
    requestAnimationFrame(() => (list.current?.children[Math.min(at, next.items.length - 1)] as HTMLElement | undefined)?.focus());
  };
  const onKey = (e: KeyboardEvent<HTMLOListElement>) => {
    if (e.key === 'PageDown' || e.key === 'PageUp') {
      e.preventDefault();
      turn(shown.page + (e.key === 'PageDown' ? 1 : -1), focus);
      return;
    }
    if (e.key === 'Enter' || e.key === ' ') {
      const entry = shown.items[focus];
      if (entry) {
        e.preventDefault();
        p.onOpen(entry);
      }
      return;
    }
    const columns = list.current ? getComputedStyle(list.current).gridTemplateColumns.split(' ').length : 1;
    const next = gridMove(e.key, focus, shown.items.length, columns);
    if (next !== null) {
      e.preventDefault();
      focusAt(next);
    }
  };

  return (
    <section className="ds-browser" aria-label="Tasks">
      <div className="ds-filters" role="search">
        <label className="ds-field ds-field-search">
          <span>Search</span>
          <input ref={p.searchRef} type="search" aria-label="Search by id" placeholder="id or family  ( / )" value={filter.text} onChange={(e) => p.onFilter({ ...filter, text: e.target.value })} />
        </label>
        <label className="ds-field">
          <span>Kind</span>
          <select aria-label="Kind" value={filter.kind} onChange={(e) => p.onFilter({ ...filter, kind: e.target.value as ItemFilter['kind'] })}>
            <option value="all">all</option>
            <option value="arc">ARC</option>
            <option value="sudoku">sudoku</option>
            <option value="maze">maze</option>
          </select>
        </label>
        <label className="ds-field">
          <span>Set</span>
          <select aria-label="Set" value={filter.origin} onChange={(e) => p.onFilter({ ...filter, origin: e.target.value })}>
            <option value="all">all</option>
            {p.sets.map((s) => (
              <option key={s.origin} value={s.origin}>
                {s.title}
              </option>
            ))}
          </select>
        </label>
        <label className="ds-field ds-field-num">
          <span>Side ≥</span>
          <input type="number" aria-label="Largest side at least" min={1} max={30} value={bounds.minSide} onChange={(e) => setBound('minSide', e.target.value)} />
        </label>
        <label className="ds-field ds-field-num">
          <span>Side ≤</span>
          <input type="number" aria-label="Largest side at most" min={1} max={30} value={bounds.maxSide} onChange={(e) => setBound('maxSide', e.target.value)} />
        </label>
        <label className="ds-field ds-field-num">
          <span>Colours ≤</span>
          <input type="number" aria-label="Colours at most" min={1} max={10} value={bounds.maxColours} onChange={(e) => setBound('maxColours', e.target.value)} />
        </label>
        <label className="ds-field">
          <span>Sort</span>
          <select aria-label="Sort" value={sort} onChange={(e) => p.onSort(e.target.value as SortKey)}>
            <option value="loaded">load order</option>
            <option value="id">id</option>
            <option value="size">size</option>
            <option value="colours">colours</option>
          </select>
        </label>
        <span className="ds-count" data-testid="datasets-count">
          {p.entries.length === p.total ? `${p.total} items` : `${p.entries.length} of ${p.total}`}
        </span>
      </div>

      {p.entries.length === 0 ? (
        <p className="ds-empty">{p.total === 0 ? 'Load a dataset, generate one, or drop files here.' : 'No item matches the filter.'}</p>
      ) : (
        <ol ref={list} className="ds-grid" role="listbox" aria-label="Tasks" onKeyDown={onKey} style={{ gridTemplateColumns: `repeat(auto-fill, minmax(${p.thumbBox + 24}px, 1fr))` }}>
          {shown.items.map((e, i) => {
            const s = itemStats(e.item);
            const selected = e.key === p.selectedKey;
            return (
              <li
                key={e.key}
                role="option"
                aria-selected={selected}
                tabIndex={i === focus ? 0 : -1}
                className={selected ? 'ds-item ds-item-on' : 'ds-item'}
                data-testid="datasets-item"
                data-key={e.key}
                title={`${e.item.id}\n${e.set.title}`}
                onClick={() => {
                  setFocus(i);
                  p.onOpen(e);
                }}
              >
                <div className="ds-item-thumb" style={{ height: p.thumbBox }}>
                  <ItemThumb item={e.item} box={p.thumbBox} />
                </div>
                <div className="ds-item-id">{e.item.id}</div>
                <div className="ds-item-meta">
                  {s.shape} · {s.counts}
                  {e.item.kind === 'arc' ? ` · ${s.colours} col` : ''}
                </div>
              </li>
            );
          })}
        </ol>
      )}

      {shown.pages > 1 && (
        <nav className="ds-pager" aria-label="Pages">
          <button type="button" disabled={shown.page === 0} onClick={() => turn(shown.page - 1, 0)} aria-label="Previous page">
            ‹ Prev
          </button>
          <span>
            page {shown.page + 1} / {shown.pages}
          </span>
          <button type="button" disabled={shown.page === shown.pages - 1} onClick={() => turn(shown.page + 1, 0)} aria-label="Next page">
            Next ›
          </button>
        </nav>
      )}
    </section>
  );
}
