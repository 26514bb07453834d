/**
 * Where sets come from: the public ARC sources (src/data/arc-sources.ts, through an injected fetch and cache),
 * the offline generators (procedural ARC families, sudoku, mazes) and local files (src/io/local-files.ts).
 * Each returns DatasetSets for the collection reducer; failures throw with the parser's or loader's message.
 */
import { ARC_SOURCES, loadArcSource, type ArcSourceId, type FetchLike, type LoadOptions } from '../../data/arc-sources';
import { generateMazes } from '../../data/maze';
import { FAMILIES, generateTasks } from '../../data/procedural';
import { generateSudokus, type SudokuSize } from '../../data/sudoku';
import { sudokuClues } from '../../data/sudoku-source';
import type { LocalLoad, SplitRole } from '../../io/local-files';
import type { DatasetSet, LoadError } from './collection';

/** TRM's ARC runs train on training + ConceptARC and hold out the evaluation split; Mini-ARC ships no split. */
export const PUBLIC_ROLES: Readonly<Record<ArcSourceId, SplitRole>> = {
  'arc-agi-1-training': 'train',
  'arc-agi-1-evaluation': 'eval',
  'arc-agi-2-training': 'train',
  'arc-agi-2-evaluation': 'eval',
  'mini-arc': 'none',
  'concept-arc': 'train',
};

export const PUBLIC_SOURCE_IDS = Object.keys(ARC_SOURCES) as ArcSourceId[];

export function publicSourceUrls(id: ArcSourceId): string[] {
  const f = ARC_SOURCES[id].files;
  return f.kind === 'combined' ? [f.challenges, f.solutions] : f.names.map(f.url);
}

export async function loadPublicSet(id: ArcSourceId, opts: LoadOptions): Promise<DatasetSet> {
  const src = ARC_SOURCES[id];
  const tasks = await loadArcSource(src, opts);
  const urls = publicSourceUrls(id);
  return {
    origin: id,
    title: src.title,
    kind: 'public',
    role: PUBLIC_ROLES[id],
    items: tasks.map((task) => ({ kind: 'arc', id: task.id, task })),
    sources: src.files.kind === 'combined' ? urls : [`${urls.length} files under ${urls[0].slice(0, urls[0].lastIndexOf('/'))}/`],
  };
}

/**
 * The browser's fetch with download progress: `text()` reads the body as a stream and reports the bytes so far
 * (a combined ARC-AGI-2 file is several MB). `total` is the Content-Length when the body is not compressed.
 */
export function fetchWithProgress(fetchFn: typeof fetch, onBytes: (url: string, received: number, total?: number) => void): FetchLike {
  return async (url) => {
    const res = await fetchFn(url);
    return {
      ok: res.ok,
      status: res.status,
      statusText: res.statusText,
      async text() {
        if (!res.body) return res.text();
        const length = Number(res.headers.get('content-length'));
        const total = length > 0 && !res.headers.get('content-encoding') ? length : undefined;
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        let text = '';
        let received = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          received += value.byteLength;
          text += decoder.decode(value, { stream: true });
          onBytes(url, received, total);
        }
        return text + decoder.decode();
      },
    };
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Built-in generators (offline)

export interface ProceduralParams {
  count: number;
  /** 0 (small, sparse) .. 1 (large, dense). */
  difficulty: number;
  maxSide: number;
  seed: number;
  /** Family names; empty or absent = every family that fits maxSide. */
  families?: readonly string[];
}

export const FAMILY_NAMES = FAMILIES.map((f) => f.name);

const fmt = (x: number) => String(Math.round(x * 100) / 100);

/** Same parameters → same origin, so generating twice replaces rather than duplicates. */
export function proceduralSet(p: ProceduralParams): DatasetSet {
  const families = p.families?.length ? p.families : undefined;
  const tasks = generateTasks(p.count, { seed: p.seed, difficulty: p.difficulty, maxSide: p.maxSide, families });
  const fam = families ? ` · ${families.join(', ')}` : '';
  return {
    origin: `builtin:procedural:n=${p.count},d=${fmt(p.difficulty)},side=${p.maxSide},seed=${p.seed}${families ? `,f=${families.join('+')}` : ''}`,
    title: `Procedural ARC · ${p.count} · d ${fmt(p.difficulty)} · ≤${p.maxSide} · seed ${p.seed}${fam}`,
    kind: 'builtin',
    role: 'none',
    items: tasks.map((task) => ({ kind: 'arc', id: task.id, task })),
    sources: [],
  };
}

export interface SudokuParams {
  size: SudokuSize;
  count: number;
  /** Fraction of cells blanked (src/data/sudoku-source.ts sudokuClues); 1 = minimal puzzles. */
  difficulty: number;
  seed: number;
}

export function sudokuSet(p: SudokuParams): DatasetSet {
  const puzzles = generateSudokus(p.count, { size: p.size, clues: sudokuClues(p.size, p.difficulty) }, p.seed);
  const tag = `${p.size}x${p.size}-d${fmt(p.difficulty)}-s${p.seed}`;
  return {
    origin: `builtin:sudoku:${tag},n=${p.count}`,
    title: `Sudoku ${p.size}×${p.size} · ${p.count} · d ${fmt(p.difficulty)} · seed ${p.seed}`,
    kind: 'builtin',
    role: 'none',
    items: puzzles.map((q, i) => ({ kind: 'sudoku', id: `sudoku-${tag}-${i}`, puzzle: q.puzzle, solution: q.solution })),
    sources: [],
  };
}

export interface MazeParams {
  size: number;
  count: number;
  minPathLength: number;
  seed: number;
}

export function mazeSet(p: MazeParams): DatasetSet {
  const mazes = generateMazes(p.count, { n: p.size, minPathLength: p.minPathLength }, p.seed);
  const tag = `${p.size}x${p.size}-p${p.minPathLength}-s${p.seed}`;
  return {
    origin: `builtin:maze:${tag},n=${p.count}`,
    title: `Maze ${p.size}×${p.size} · ${p.count} · path ≥ ${p.minPathLength} · seed ${p.seed}`,
    kind: 'builtin',
    role: 'none',
    items: mazes.map((m, i) => ({ kind: 'maze', id: `maze-${tag}-${i}`, input: m.input, label: m.label })),
    sources: [],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Local files

/** One set per group of parsed files (a folder of task files, a combined pair, a puzzle file), errors per file. */
export function localSets(load: LocalLoad): { sets: DatasetSet[]; errors: LoadError[] } {
  const sets = load.groups.map((g): DatasetSet => {
    const base = { origin: `local:${g.name}`, title: g.name, kind: 'local' as const, role: g.role, sources: g.files };
    switch (g.kind) {
      case 'arc':
        return { ...base, items: g.tasks.map((task) => ({ kind: 'arc', id: task.id, task })) };
      case 'sudoku':
        return { ...base, items: g.puzzles.map((p) => ({ kind: 'sudoku', id: `${g.name}:${p.line}`, puzzle: p.puzzle, solution: p.solution })) };
      case 'maze':
        return { ...base, items: g.mazes.map((m) => ({ kind: 'maze', ...m })) };
    }
  });
  return { sets, errors: load.errors.map((e) => ({ origin: e.file, kind: 'local', message: e.message })) };
}

// ---------------------------------------------------------------------------------------------------------------
// Form fields

/** A form field's number, or the message to show beside it. */
export function readNumber(label: string, text: string, lo: number, hi: number, integer = true): number | string {
  const v = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(v)) return `${label}: enter a number`;
  if (integer && !Number.isInteger(v)) return `${label}: ${text.trim()} is not a whole number`;
  if (v < lo || v > hi) return `${label}: ${v} is outside ${lo}..${hi}`;
  return v;
}
