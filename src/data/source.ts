import type { DatasetInfo, Example } from './dataset';

/** A training batch as flat arrays: inputs and labels [B·L], puzzle ids [B]. */
export interface Batch {
  inputs: Int32Array;
  labels: Int32Array;
  puzzleIds: Int32Array;
}

/** What the trainer draws from: an endless stream of (augmented) training batches and a fixed held-out set. */
export interface DataSource {
  readonly info: DatasetInfo;
  /** B training samples, augmented where the dataset allows, drawn with `rand`. */
  trainBatch(batchSize: number, rand: () => number): Batch;
  /** The held-out examples evaluation runs on (fixed for the run). */
  evalExamples(): Example[];
}

export function stackExamples(examples: readonly Example[], seqLen: number): Batch {
  const B = examples.length;
  const out: Batch = { inputs: new Int32Array(B * seqLen), labels: new Int32Array(B * seqLen), puzzleIds: new Int32Array(B) };
  examples.forEach((ex, i) => {
    out.inputs.set(ex.inputs, i * seqLen);
    out.labels.set(ex.labels, i * seqLen);
    out.puzzleIds[i] = ex.puzzleId;
  });
  return out;
}

/** The inverse of stackExamples: the batch's samples as separate examples. */
export function unstackBatch(b: Batch, seqLen: number): Example[] {
  return Array.from(b.puzzleIds, (puzzleId, i) => ({ inputs: b.inputs.slice(i * seqLen, (i + 1) * seqLen), labels: b.labels.slice(i * seqLen, (i + 1) * seqLen), puzzleId }));
}
