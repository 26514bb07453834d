/**
 * The loaded collection as a pure reducer: sets of items from public sources, built-in generators and local
 * files; load errors kept per origin (a URL's source or a file) until dismissed; loads in progress. A failed load
 * only adds its error: nothing already loaded is ever replaced by a failure. Reloading an origin replaces its set.
 */
import { splitTasks, type ArcTaskSplit } from '../../data/sources';
import type { ArcTask } from '../../data/grid';
import { userMessage } from '../../io/user-error';
import type { SplitRole } from '../../io/local-files';
import { itemStats, type DatasetItem, type ItemKind } from './items';

export type SetKind = 'public' | 'builtin' | 'local';

export interface DatasetSet {
  /** Unique key: a public source id, 'builtin:…' with its parameters, or a local file/folder path. */
  origin: string;
  title: string;
  kind: SetKind;
  /** Evaluation sets hold out their test pairs when training (TRM's split); 'none' sets are split by a seed. */
  role: SplitRole;
  items: DatasetItem[];
  /** The URLs or file paths it came from (a successful load of one clears that file's old error). */
  sources: string[];
}

export interface LoadError {
  origin: string;
  kind: SetKind;
  message: string;
}

export interface LoadingState {
  kind: SetKind;
  /** Files done of total, and bytes of the current download (when known). */
  done: number;
  total: number;
  bytes?: number;
  cached?: boolean;
}

export interface CollectionState {
  sets: DatasetSet[];
  errors: LoadError[];
  loading: Record<string, LoadingState>;
}

export const EMPTY_COLLECTION: CollectionState = { sets: [], errors: [], loading: {} };

export type CollectionAction =
  | { type: 'loading'; origin: string; state: LoadingState }
  /** A finished load: its sets (possibly none) and the errors of the files that failed. */
  | { type: 'loaded'; sets: DatasetSet[]; errors?: LoadError[]; origin?: string }
  | { type: 'failed'; errors: LoadError[]; origin?: string }
  | { type: 'remove-set'; origin: string }
  | { type: 'dismiss-error'; origin: string }
  | { type: 'clear' };

const without = <T>(rec: Record<string, T>, key?: string) => {
  if (key === undefined || !(key in rec)) return rec;
  const { [key]: _, ...rest } = rec;
  return rest;
};

export function collectionReducer(state: CollectionState, action: CollectionAction): CollectionState {
  switch (action.type) {
    case 'loading':
      return { ...state, loading: { ...state.loading, [action.origin]: action.state } };
    case 'loaded': {
      const fresh = new Map(action.sets.map((s) => [s.origin, s]));
      // A reloaded origin keeps its place in the list; new ones go to the end.
      const sets = state.sets.map((s) => fresh.get(s.origin) ?? s);
      for (const s of action.sets) if (!state.sets.some((o) => o.origin === s.origin)) sets.push(s);
      const cleared = new Set([...fresh.keys(), ...action.sets.flatMap((s) => s.sources), ...(action.errors ?? []).map((e) => e.origin)]);
      if (action.origin !== undefined) cleared.add(action.origin);
      const errors = [...state.errors.filter((e) => !cleared.has(e.origin)), ...(action.errors ?? [])];
      return { sets, errors, loading: without(state.loading, action.origin) };
    }
    case 'failed': {
      const replaced = new Set(action.errors.map((e) => e.origin));
      return { ...state, errors: [...state.errors.filter((e) => !replaced.has(e.origin)), ...action.errors], loading: without(state.loading, action.origin) };
    }
    case 'remove-set':
      return { ...state, sets: state.sets.filter((s) => s.origin !== action.origin) };
    case 'dismiss-error':
      return { ...state, errors: state.errors.filter((e) => e.origin !== action.origin) };
    case 'clear':
      return { ...EMPTY_COLLECTION, loading: state.loading };
  }
}

/** Run a load and turn its outcome into the action that records it; a throw becomes that origin's error. */
export async function settleLoad(origin: string, kind: SetKind, load: () => Promise<DatasetSet[]>): Promise<CollectionAction> {
  try {
    return { type: 'loaded', sets: await load(), origin };
  } catch (e) {
    return { type: 'failed', errors: [{ origin, kind, message: userMessage(e) }], origin };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The deduplicated view

export interface Entry {
  /** `${kind}:${id}`, unique in the view. */
  key: string;
  item: DatasetItem;
  set: DatasetSet;
}

export interface CollectionView {
  entries: Entry[];
  /** Items of each set skipped because an earlier set already has their id. */
  duplicates: Map<string, number>;
}

export const entryKey = (item: DatasetItem) => `${item.kind}:${item.id}`;

/** Every item once, in load order: the first set to bring an id keeps it (ARC-AGI-2 training repeats ARC-AGI-1 ids). */
export function collectionView(sets: readonly DatasetSet[]): CollectionView {
  const seen = new Set<string>();
  const entries: Entry[] = [];
  const duplicates = new Map<string, number>();
  for (const set of sets) {
    let dup = 0;
    for (const item of set.items) {
      const key = entryKey(item);
      if (seen.has(key)) dup++;
      else {
        seen.add(key);
        entries.push({ key, item, set });
      }
    }
    duplicates.set(set.origin, dup);
  }
  return { entries, duplicates };
}

// ---------------------------------------------------------------------------------------------------------------
// Filter, sort, page

export interface ItemFilter {
  /** Case-insensitive substring of the id (procedural ids carry their family name). */
  text: string;
  kind: ItemKind | 'all';
  /** A set's origin, or 'all'. */
  origin: string;
  minSide?: number;
  maxSide?: number;
  minColours?: number;
  maxColours?: number;
}

export const NO_FILTER: ItemFilter = { text: '', kind: 'all', origin: 'all' };

export type SortKey = 'loaded' | 'id' | 'size' | 'colours';

export function filterEntries(entries: readonly Entry[], f: ItemFilter): Entry[] {
  const text = f.text.trim().toLowerCase();
  return entries.filter(({ item, set }) => {
    if (f.kind !== 'all' && item.kind !== f.kind) return false;
    if (f.origin !== 'all' && set.origin !== f.origin) return false;
    if (text && !item.id.toLowerCase().includes(text)) return false;
    const s = itemStats(item);
    if (f.minSide !== undefined && s.maxSide < f.minSide) return false;
    if (f.maxSide !== undefined && s.maxSide > f.maxSide) return false;
    if (f.minColours !== undefined && s.colours < f.minColours) return false;
    if (f.maxColours !== undefined && s.colours > f.maxColours) return false;
    return true;
  });
}

export function isFiltered(f: ItemFilter): boolean {
  return f.text.trim() !== '' || f.kind !== 'all' || f.origin !== 'all' || [f.minSide, f.maxSide, f.minColours, f.maxColours].some((v) => v !== undefined);
}

export function sortEntries(entries: readonly Entry[], by: SortKey): Entry[] {
  if (by === 'loaded') return entries.slice();
  const byId = (a: Entry, b: Entry) => a.item.id.localeCompare(b.item.id);
  const num = (e: Entry) => (by === 'size' ? itemStats(e.item).maxSide : itemStats(e.item).colours);
  return entries.slice().sort(by === 'id' ? byId : (a, b) => num(a) - num(b) || byId(a, b));
}

export interface Page<T> {
  items: T[];
  /** 0-based, clamped into range. */
  page: number;
  pages: number;
}

export function pageOf<T>(all: readonly T[], page: number, size: number): Page<T> {
  const pages = Math.max(1, Math.ceil(all.length / size));
  const p = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  return { items: all.slice(p * size, (p + 1) * size), page: p, pages };
}

/**
 * Keyboard movement in a grid of thumbnails laid out in `columns` columns: the index to focus after `key`, or
 * null when the key is not a movement key. Stays in range.
 */
export function gridMove(key: string, index: number, count: number, columns: number): number | null {
  const cols = Math.max(1, columns);
  const last = count - 1;
  const to = (i: number) => Math.min(Math.max(0, i), last);
  switch (key) {
    case 'ArrowLeft': return to(index - 1);
    case 'ArrowRight': return to(index + 1);
    case 'ArrowUp': return index - cols >= 0 ? index - cols : index;
    case 'ArrowDown': return index + cols <= last ? index + cols : index;
    case 'Home': return 0;
    case 'End': return to(last);
    default: return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Training split

export interface TrainingCollection {
  split: ArcTaskSplit;
  /** Smallest canvas that fits every grid with its EOS bars (grids touching the 30 border need none). */
  canvas: number;
  /** How eval was chosen, for the button's label. */
  how: 'eval sets' | 'held out';
}

/**
 * The ARC tasks of some entries as a trainer's ArcTaskSplit. With evaluation sets among them (ARC-AGI
 * evaluation, a dropped evaluation/ folder) those are the eval tasks, as TRM does; otherwise a seeded
 * `evalFraction` of the tasks is held out (src/data/sources.ts splitTasks). Null when there is no ARC task.
 */
export function trainingCollection(entries: readonly Entry[], opts: { evalFraction?: number; seed?: number } = {}): TrainingCollection | null {
  const arc = entries.filter((e): e is Entry & { item: { kind: 'arc'; task: ArcTask } } => e.item.kind === 'arc');
  if (arc.length === 0) return null;
  const evalTasks = arc.filter((e) => e.set.role === 'eval').map((e) => e.item.task);
  const rest = arc.filter((e) => e.set.role !== 'eval').map((e) => e.item.task);
  const split = evalTasks.length > 0 ? { train: rest, eval: evalTasks } : splitTasks(rest, opts.evalFraction ?? 0.2, opts.seed ?? 0);
  const maxSide = Math.max(...arc.map((e) => itemStats(e.item).maxSide));
  return { split, canvas: Math.min(30, maxSide + 1), how: evalTasks.length > 0 ? 'eval sets' : 'held out' };
}
