import type { DatasetInfo, Example } from '../data/dataset';
import { mulberry32 } from '../nn/init';
import { unstackBatch, type DataSource } from '../data/source';
import { createSource, type ArcTaskSplit } from '../data/sources';
import type { TrainConfig } from '../trm/config';

/**
 * The data a run trains on. An ARC checkpoint opened without its tasks gets a source with the checkpoint's
 * shape only: the model can be traced and can solve puzzles, but training asks for the tasks.
 */
export function runSource(cfg: TrainConfig, arcTasks: ArcTaskSplit | undefined, known?: DatasetInfo): { source: DataSource; trainable: boolean } {
  if (cfg.data.kind === 'arc' && !arcTasks && known) {
    const name = cfg.data.source;
    return {
      trainable: false,
      source: {
        info: known,
        trainBatch: () => {
          throw new Error(`to train this ${name} checkpoint further, load the ${name} tasks first (Datasets), then open it again`);
        },
        evalExamples: () => [],
      },
    };
  }
  const source = createSource(cfg.data, cfg.seed, arcTasks);
  if (known) {
    const i = source.info;
    const diff = (['seqLen', 'vocabSize', 'numPuzzleIds'] as const).filter((k) => i[k] !== known[k]);
    if (diff.length) throw new Error(`the checkpoint was trained on data with ${diff.map((k) => `${k} ${known[k]}`).join(', ')}; its config now gives ${diff.map((k) => `${k} ${i[k]}`).join(', ')} (different tasks loaded?)`);
  }
  return { source, trainable: true };
}

/** Up to `limit` examples with targets for the viewer: held-out ones, or a seeded draw of training ones. */
export function sampleExamples(source: DataSource, split: 'eval' | 'train', limit: number, seed: number): Example[] {
  const n = Math.max(0, Math.floor(limit));
  if (split === 'eval') return source.evalExamples().slice(0, n);
  if (n === 0) return [];
  return unstackBatch(source.trainBatch(n, mulberry32(seed ^ 0x2545f491)), source.info.seqLen);
}

/** Why an example cannot run on a model reading `info`, or null. */
export function exampleProblem(ex: Example, info: DatasetInfo): string | null {
  if (!ex || !(ex.inputs instanceof Int32Array) || !(ex.labels instanceof Int32Array)) return 'the example needs Int32Array inputs and labels';
  if (ex.inputs.length !== info.seqLen || ex.labels.length !== info.seqLen) return `the example has ${ex.inputs.length} tokens; this model reads ${info.seqLen} (${info.name})`;
  if (!Number.isInteger(ex.puzzleId) || ex.puzzleId < 0 || ex.puzzleId >= Math.max(1, info.numPuzzleIds)) return `puzzle id ${ex.puzzleId} is outside this model's ${info.numPuzzleIds} puzzle embeddings`;
  for (const t of ex.inputs) if (t < 0 || t >= info.vocabSize) return `input token ${t} is outside the vocabulary 0..${info.vocabSize - 1}`;
  return null;
}
