/**
 * A checkpoint opened for scoring, as `eval` and `probe` open it: TRM Lab's or the reference's layout (with
 * all_config.yaml beside it), its config with `--data.FIELD` overrides checked, memory checked before anything is
 * allocated, the held-out data of `--data` (default: the config's test split) and the engine of `--backend`.
 */
import { restoreCheckpoint } from '../io/checkpoint';
import { InputError } from '../io/user-error';
import type { DataSource } from '../data/source';
import type { TrainConfig } from '../trm/config';
import { keyName, parseTrainConfig } from '../trm/config-parse';
import { checkMemory, limitsBeforeDevice } from '../trm/memory';
import { Trainer } from '../trm/trainer';
import { applyOverrides, choiceFlag } from './args';
import { loadCheckpointFile } from './checkpoint-file';
import { loadEvalData } from './eval-data';
import { createNodeEngine } from './node-env';

/** The flags openEvalModel reads (beside `--data.FIELD` overrides). */
export const EVAL_MODEL_FLAGS = ['checkpoint', 'data', 'identifiers', 'backend', 'non-finite'] as const;

export interface EvalModel {
  trainer: Trainer;
  source: DataSource;
  cfg: TrainConfig;
  /** The engine in words. */
  description: string;
}

/** `command` names the CLI in messages. */
export async function openEvalModel(command: string, flags: ReadonlyMap<string, string>, overrides: [string, string][]): Promise<EvalModel> {
  const backend = choiceFlag(flags, 'backend', ['gpu', 'cpu'] as const, 'gpu');
  const path = flags.get('checkpoint');
  if (!path) throw new InputError('--checkpoint is required');
  const misplaced = overrides.find(([k]) => !k.startsWith('data.'));
  if (misplaced) throw new InputError(`--${keyName(misplaced[0])}: ${command} takes overrides of data fields only (e.g. --data.testPuzzles 1000); the model is the checkpoint's`);
  const allowNonFinite = choiceFlag(flags, 'non-finite', ['refuse', 'load'] as const, 'refuse') === 'load';
  const ck = await loadCheckpointFile(path, { allowNonFinite });
  for (const w of ck.warnings) console.error(`[trm] warning: ${w}`);
  const cfg = parseTrainConfig(applyOverrides(ck.meta.config, overrides), `${path} with the flags`, ck.meta.data);
  checkMemory(cfg, ck.meta.data, limitsBeforeDevice(backend), path);
  const info = ck.meta.data;
  const source = loadEvalData(flags.get('data') ?? 'test', cfg, info, flags.get('identifiers'));
  const { engine, description } = await createNodeEngine(backend);
  const trainer = new Trainer(engine, cfg, { ...source, info });
  restoreCheckpoint(trainer, ck, path);
  return { trainer, source, cfg, description };
}
