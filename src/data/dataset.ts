/** Label value excluded from the loss (PyTorch's ignore_index, as in the reference). */
export const IGNORE_LABEL = -100;

/** One training/eval example as the model sees it: token ids, labels (IGNORE_LABEL where unsupervised) and a puzzle id. */
export interface Example {
  inputs: Int32Array;
  labels: Int32Array;
  /** Row of the puzzle-embedding table (0 = the shared/blank identifier). */
  puzzleId: number;
}

/** What the model needs to know about a dataset's encoding. */
export interface DatasetInfo {
  name: string;
  seqLen: number;
  vocabSize: number;
  numPuzzleIds: number;
}
