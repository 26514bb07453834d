/**
 * A reference checkpoint's puzzle-embedding table left in its file. The table holds one row per augmented training
 * puzzle (an ARC checkpoint: ≥ 500k rows × 512 floats, a gigabyte as float32), so a large one is never read whole:
 * the model gets a small table of the rows a run needs, re-indexed (row 0, the blank embedding, first), and more
 * rows are read here, a range per run of consecutive ids, when a puzzle needs them.
 */
import type { Checkpoint } from './checkpoint';
import { NAMES } from '../trm/params';
import type { LazyTensor } from './torch-checkpoint';
import { InputError } from './user-error';

/** Tables up to this many bytes (as float32) are read whole; larger ones only by the rows a run needs. */
export const LAZY_TABLE_BYTES = 64 << 20;
/** Whether a puzzle-embedding table of `shape` stays in its file (over `limit` bytes as float32), read by rows. */
export const staysInFile = (shape: readonly number[], limit: number): boolean => shape.length === 2 && shape[0] * shape[1] * 4 > limit;

/** The reference's puzzle identifier 0: the blank embedding every unknown puzzle uses. */
export const BLANK_ROW = 0;

export class LazyPuzzleTable {
  private readonly cache = new Map<number, Float32Array>();

  constructor(private readonly tensor: LazyTensor, private readonly fileName: string) {
    if (tensor.shape.length !== 2) throw new InputError(`${fileName}: the puzzle embedding has shape [${tensor.shape.join(', ')}], not [rows, dim]`);
  }

  get rows(): number {
    return this.tensor.shape[0];
  }

  get dim(): number {
    return this.tensor.shape[1];
  }

  /** The whole table's size as float32, what training it would hold. */
  get bytes(): number {
    return this.rows * this.dim * 4;
  }

  /** Rows `ids` of the table as [ids.length, dim] float32, read once each. */
  async read(ids: readonly number[]): Promise<Float32Array> {
    for (const id of ids)
      if (!Number.isSafeInteger(id) || id < 0 || id >= this.rows) throw new InputError(`${this.fileName}: puzzle row ${id} is outside its puzzle embedding's ${this.rows} rows`);
    const missing = [...new Set(ids)].filter((id) => !this.cache.has(id)).sort((a, b) => a - b);
    for (let i = 0; i < missing.length; ) {
      let j = i + 1;
      while (j < missing.length && missing[j] === missing[j - 1] + 1) j++;
      const block = await this.tensor.read(missing[i], j - i);
      for (let k = i; k < j; k++) this.cache.set(missing[k], block.subarray((k - i) * this.dim, (k - i + 1) * this.dim));
      i = j;
    }
    const out = new Float32Array(ids.length * this.dim);
    ids.forEach((id, i) => out.set(this.cache.get(id)!, i * this.dim));
    return out;
  }
}

/** A checkpoint whose puzzle embedding holds only some rows of its file's table: `held[i]` is the file's row of row i. */
export interface HeldPuzzleRows {
  table: LazyPuzzleTable;
  held: number[];
}

/**
 * `ck` with its puzzle embedding replaced by rows `ids` of the file's table, re-indexed in that order (puzzle id i
 * of the model reads file row ids[i]); the model's data shape says ids.length puzzle ids.
 */
export async function holdPuzzleRows(ck: Checkpoint, table: LazyPuzzleTable, ids: readonly number[]): Promise<{ checkpoint: Checkpoint; rows: HeldPuzzleRows }> {
  if (!ids.length) throw new InputError('hold at least one puzzle row (the blank one, 0)');
  if (ck.meta.config.model.puzzleEmbDim !== table.dim) throw new InputError(`the checkpoint's puzzle embedding is ${ck.meta.config.model.puzzleEmbDim} wide, the file's table ${table.dim}`);
  const tensors = new Map(ck.tensors);
  tensors.set(NAMES.puzzleEmb, { dtype: 'F32', shape: [ids.length, table.dim], data: await table.read(ids) });
  const meta = { ...ck.meta, data: { ...ck.meta.data, numPuzzleIds: ids.length } };
  return { checkpoint: { ...ck, meta, tensors }, rows: { table, held: [...ids] } };
}
