import { useEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import type { TextCache } from '../../data/arc-sources';
import { BuiltinSources } from './BuiltinSources';
import { collectionView, filterEntries, isFiltered, NO_FILTER, sortEntries, trainingCollection, type DatasetSet, type ItemFilter, type SortKey, type TrainingCollection } from './collection';
import { filesFromDrop } from './drop';
import type { DatasetItem } from './items';
import { LoadedSets } from './LoadedSets';
import { LocalFiles } from './LocalFiles';
import { proceduralSet } from './loaders';
import { PublicSources } from './PublicSources';
import { generateBuiltin, loadLocal, sharedTextCache, useDatasets } from './store';
import { TaskBrowser } from './TaskBrowser';
import './datasets.css';

export interface TrainRequest extends TrainingCollection {
  /** e.g. "412 ARC tasks from ARC-AGI-1 training, ARC-AGI-1 evaluation", for the run's name. */
  title: string;
}

export interface DatasetsPanelProps {
  /** The user opened an item (click, or Enter on the focused thumbnail). */
  onSelect(item: DatasetItem, set: DatasetSet): void;
  /**
   * "Train on this collection": the ARC tasks shown (after the filter) as an ArcTaskSplit, with a canvas side
   * that fits them. The button is hidden when this is absent, disabled when no ARC task is shown.
   */
  onTrain?(request: TrainRequest): void;
  /** Key of the item the viewer/editor shows (`${kind}:${id}`, see entryKey), highlighted here. */
  selectedKey?: string;
  /** Network access for public sources (default: the browser's fetch). */
  fetch?: typeof fetch;
  /** Default: Cache Storage (memory when unavailable), shared by every panel in the page. */
  cache?: TextCache & { clear?: () => Promise<void> | void };
  /** Generate a small procedural ARC set when the collection is empty on mount (default true). */
  seedWhenEmpty?: boolean;
  /** Thumbnails per page (default 60). */
  pageSize?: number;
  /** Thumbnail side in CSS pixels (default 112). */
  thumbBox?: number;
}

/**
 * Browse and load datasets: public ARC sources (with progress, cache and errors naming the URL), offline
 * generators, local files (drop anywhere on the panel, or pick). The collection lives in the datasets store and
 * survives unmounting.
 */
export function DatasetsPanel(props: DatasetsPanelProps) {
  const { onSelect, onTrain, selectedKey, fetch, pageSize = 60, thumbBox = 112 } = props;
  const cache = props.cache ?? sharedTextCache();
  const sets = useDatasets((s) => s.sets);
  const [filter, setFilter] = useState<ItemFilter>(NO_FILTER);
  const [sort, setSort] = useState<SortKey>('loaded');
  const [opened, setOpened] = useState<string>();
  const [dragging, setDragging] = useState(false);
  const dragDepth = useRef(0);
  const search = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const s = useDatasets.getState();
    if ((props.seedWhenEmpty ?? true) && s.sets.length === 0 && !s.loading['builtin:procedural']) {
      void generateBuiltin('builtin:procedural', () => proceduralSet({ count: 48, difficulty: 0.3, maxSide: 10, seed: 1 }));
    }
  }, []); // first mount only

  // A filter on a removed set falls back to every set.
  const effective = useMemo(() => (filter.origin === 'all' || sets.some((s) => s.origin === filter.origin) ? filter : { ...filter, origin: 'all' }), [filter, sets]);
  const view = useMemo(() => collectionView(sets), [sets]);
  const shown = useMemo(() => sortEntries(filterEntries(view.entries, effective), sort), [view, effective, sort]);
  const training = useMemo(() => (onTrain ? trainingCollection(shown) : null), [onTrain, shown]);

  const train = () => {
    if (!training || !onTrain) return;
    const titles = [...new Set(shown.filter((e) => e.item.kind === 'arc').map((e) => e.set.title))];
    const n = training.split.train.length + training.split.eval.length;
    onTrain({ ...training, title: `${n} ARC tasks from ${titles.slice(0, 3).join(', ')}${titles.length > 3 ? ` and ${titles.length - 3} more` : ''}` });
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    dragDepth.current = 0;
    setDragging(false);
    void filesFromDrop(e.dataTransfer).then(loadLocal);
  };
  const onKey = (e: KeyboardEvent) => {
    const t = e.target as HTMLElement;
    if (e.key === '/' && !['INPUT', 'SELECT', 'TEXTAREA'].includes(t.tagName)) {
      e.preventDefault();
      search.current?.focus();
    } else if (e.key === 'Escape' && t === search.current) {
      setFilter({ ...effective, text: '' });
    }
  };

  return (
    <div
      className={dragging ? 'ds-panel ds-panel-drag' : 'ds-panel'}
      data-testid="datasets-panel"
      onKeyDown={onKey}
      onDragEnter={(e) => {
        if (!e.dataTransfer.types.includes('Files')) return;
        dragDepth.current++;
        setDragging(true);
      }}
      onDragLeave={() => {
        if (--dragDepth.current <= 0) setDragging(false);
      }}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('Files')) e.preventDefault();
      }}
      onDrop={onDrop}
    >
      <aside className="ds-side">
        <PublicSources fetch={fetch} cache={cache} />
        <BuiltinSources />
        <LocalFiles dragging={dragging} />
        <LoadedSets view={view} shown={effective.origin} onShow={(origin) => setFilter({ ...effective, origin })} />
        {onTrain && (
          <div className="ds-train">
            <button type="button" className="ds-primary" disabled={!training} onClick={train} data-testid="datasets-train">
              {training
                ? `Train on ${isFiltered(effective) ? 'shown' : 'this collection'}: ${training.split.train.length} train / ${training.split.eval.length} eval tasks`
                : 'Train on this collection (no ARC tasks shown)'}
            </button>
            {training && (
              <p className="ds-muted">
                {training.how === 'eval sets' ? 'Evaluation sets hold out their test pairs' : 'A seeded 20% of tasks held out'} · canvas {training.canvas}×{training.canvas}
              </p>
            )}
          </div>
        )}
      </aside>
      <TaskBrowser
        entries={shown}
        total={view.entries.length}
        sets={sets}
        filter={effective}
        onFilter={setFilter}
        sort={sort}
        onSort={setSort}
        selectedKey={selectedKey ?? opened}
        onOpen={(e) => {
          setOpened(e.key);
          onSelect(e.item, e.set);
        }}
        pageSize={pageSize}
        thumbBox={thumbBox}
        searchRef={search}
      />
    </div>
  );
}
