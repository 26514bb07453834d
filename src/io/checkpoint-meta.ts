/**
 * The "trm_lab" metadata of a checkpoint: format, config, dataset shape, step counters and the ARC puzzle-id
 * registry, read from untrusted JSON. The config goes through the same validator as a user's config; the rest
 * is checked field by field and rebuilt from its known fields only.
 */
import type { DatasetInfo } from '../data/dataset';
import { ARC_VOCAB_SIZE } from '../data/arc-encoding';
import { mazeDatasetInfo } from '../data/maze';
import { sudokuDatasetInfo } from '../data/sudoku';
import type { DataConfig, TrainConfig } from '../trm/config';
import { parseTrainConfig } from '../trm/config-parse';
import { InputError, quote } from './user-error';
import { isJsonObject } from './json-value';

export const CHECKPOINT_FORMAT = 'trm-lab/1';

export interface CheckpointMeta {
  format: string;
  config: TrainConfig;
  data: DatasetInfo;
  step: number;
  adamStep: number;
  /** ARC: the puzzle-id registry (identifiers.json layout), so ids keep meaning across runs. */
  puzzleIds?: string[];
  /** Free-form run facts (wall time, final metrics). */
  notes?: Record<string, unknown>;
}

const own = (o: Record<string, unknown>, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);

/** The dataset shape a data config produces, where the config alone fixes it (ARC's id count depends on its tasks). */
function shapeOf(d: DataConfig): { what: string; info: Partial<DatasetInfo> } | null {
  switch (d.kind) {
    case 'sudoku':
      return { what: `a ${d.size}×${d.size} Sudoku`, info: sudokuDatasetInfo(d.size) };
    case 'maze':
      return { what: `a ${d.size}×${d.size} maze`, info: mazeDatasetInfo(d.size) };
    case 'arc':
    case 'arc-procedural':
      return { what: `ARC on a ${d.canvas}×${d.canvas} canvas`, info: { seqLen: d.canvas * d.canvas, vocabSize: ARC_VOCAB_SIZE } };
    default:
      return null;
  }
}

/** Read and check the metadata; throws InputError (or ConfigError for the config's fields) naming the field. */
export function parseCheckpointMeta(metadata: Record<string, string>, fileName: string): CheckpointMeta {
  const where = `${fileName}: checkpoint metadata`;
  if (!Object.hasOwn(metadata, 'trm_lab')) throw new InputError(`${fileName}: a safetensors file, but not a TRM Lab checkpoint (no "trm_lab" metadata)`);
  let raw: unknown;
  try {
    raw = JSON.parse(metadata.trm_lab);
  } catch {
    throw new InputError(`${where} "trm_lab" is not JSON`);
  }
  if (!isJsonObject(raw)) throw new InputError(`${where} "trm_lab" is ${quote(raw)}, not a JSON object`);
  const format = own(raw, 'format');
  if (format !== CHECKPOINT_FORMAT) throw new InputError(`${where}: format ${quote(format)}, this build reads "${CHECKPOINT_FORMAT}"`);

  const issues: string[] = [];
  const count = (field: string, v: unknown, min: number): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) issues.push(`${field} must be an integer ≥ ${min}, got ${quote(v)}`);
    return v as number;
  };
  const rawData = own(raw, 'data');
  let data: DatasetInfo | null = null;
  if (!isJsonObject(rawData)) issues.push(`data must be an object (the dataset's shape), got ${quote(rawData)}`);
  else {
    const name = own(rawData, 'name');
    if (typeof name !== 'string') issues.push(`data.name must be a string, got ${quote(name)}`);
    data = {
      name: name as string,
      seqLen: count('data.seqLen', own(rawData, 'seqLen'), 1),
      vocabSize: count('data.vocabSize', own(rawData, 'vocabSize'), 1),
      numPuzzleIds: count('data.numPuzzleIds', own(rawData, 'numPuzzleIds'), 0),
    };
  }
  const step = count('step', own(raw, 'step'), 0);
  const adamStep = count('adamStep', own(raw, 'adamStep'), 0);
  const puzzleIds = own(raw, 'puzzleIds');
  if (puzzleIds !== undefined && !(Array.isArray(puzzleIds) && puzzleIds.every((p) => typeof p === 'string')))
    issues.push(`puzzleIds must be a list of strings, got ${Array.isArray(puzzleIds) ? 'a list holding a non-string' : quote(puzzleIds)}`);
  const notes = own(raw, 'notes');
  if (notes !== undefined && !isJsonObject(notes)) issues.push(`notes must be an object, got ${quote(notes)}`);
  if (issues.length) throw new InputError(`${where}: ${issues.join('; ')}`);

  const config = parseTrainConfig(own(raw, 'config'), `${fileName} (its config)`, data!);
  const expected = shapeOf(config.data);
  if (expected) {
    const off = (['seqLen', 'vocabSize', 'numPuzzleIds'] as const).filter((k) => expected.info[k] !== undefined && expected.info[k] !== data![k]);
    if (off.length)
      throw new InputError(`${where}: ${off.map((k) => `data.${k} is ${data![k]}`).join(', ')}, but its config's data (${expected.what}) gives ${off.map((k) => expected.info[k]).join(', ')}`);
  }
  return {
    format: CHECKPOINT_FORMAT,
    config,
    data: data!,
    step,
    adamStep,
    ...(puzzleIds !== undefined && { puzzleIds: puzzleIds as string[] }),
    ...(notes !== undefined && { notes: notes as Record<string, unknown> }),
  };
}
