/**
 * all_config.yaml, the config pretrain.py writes beside its checkpoints (PretrainConfig.model_dump()), mapped to
 * and from TRM Lab's TrainConfig. Reading is safe YAML (core schema, no custom tags, bounded aliases) and takes
 * only the fields that mean something here, each type-checked; writing gives the reference's fields plus a
 * `trm_lab` block (pydantic ignores unknown top-level keys) holding what the reference cannot say, so an export
 * imports back exactly.
 */
import { parseDocument, stringify } from 'yaml';
import type { DatasetInfo } from '../data/dataset';
import type { TrainConfig } from '../trm/config';
import { InputError, quote } from './user-error';

/** What an all_config.yaml says, in TRM Lab's terms: config fields by dotted path, and hints for the data. */
export interface ReferenceConfig {
  /** Model and optimizer fields the file sets, e.g. "model.hidden" → 512. */
  fields: Map<string, number | string>;
  /** data_paths, which name the dataset (e.g. data/sudoku-extreme-1k-aug-1000). */
  dataPaths: string[];
  /** no_ACT_continue: false trains a q_continue target TRM Lab lacks (evaluation runs every step anyway). */
  actContinue: boolean;
  /** The block an export writes: the whole TRM Lab config, dataset shape and step. */
  trmLab?: unknown;
}

export const ARCH_NAME = 'recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1';
const LOSS_TYPES: Record<string, TrainConfig['optim']['loss']> = { stablemax_cross_entropy: 'stablemax', softmax_cross_entropy: 'softmax' };
const MAX_YAML = 1 << 20;

type Kind = 'int' | 'number';
/** arch.* and top-level numeric fields → TrainConfig paths. */
const ARCH_FIELDS: [string, string, Kind][] = [
  ['hidden_size', 'model.hidden', 'int'], ['L_layers', 'model.layers', 'int'], ['num_heads', 'model.heads', 'int'],
  ['expansion', 'model.expansion', 'number'], ['H_cycles', 'model.T', 'int'], ['L_cycles', 'model.n', 'int'],
  ['halt_max_steps', 'model.nSup', 'int'], ['halt_exploration_prob', 'model.haltExplorationProb', 'number'],
  ['puzzle_emb_ndim', 'model.puzzleEmbDim', 'int'], ['puzzle_emb_len', 'model.puzzleEmbLen', 'int'],
  ['rope_theta', 'model.ropeBase', 'number'], ['rms_norm_eps', 'model.rmsEps', 'number'],
];
const TOP_FIELDS: [string, string, Kind][] = [
  ['global_batch_size', 'optim.batchSize', 'int'], ['lr', 'optim.lr', 'number'], ['lr_min_ratio', 'optim.lrMinRatio', 'number'],
  ['lr_warmup_steps', 'optim.warmupSteps', 'int'], ['weight_decay', 'optim.weightDecay', 'number'], ['beta1', 'optim.beta1', 'number'],
  ['beta2', 'optim.beta2', 'number'], ['puzzle_emb_lr', 'optim.puzzleEmbLr', 'number'],
  ['puzzle_emb_weight_decay', 'optim.puzzleEmbWeightDecay', 'number'], ['seed', 'seed', 'int'],
];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: Record<string, unknown>, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);

/** Read all_config.yaml; throws InputError naming the file and the field. */
export function parseReferenceConfig(text: string, fileName: string): ReferenceConfig {
  if (text.length > MAX_YAML) throw new InputError(`${fileName}: ${text.length} characters, more than a config holds`);
  let doc: unknown;
  try {
    // Core schema: plain data only; a tag it cannot resolve (!!python/object…) is a warning, refused here.
    const parsed = parseDocument(text, { schema: 'core', prettyErrors: false, logLevel: 'silent' });
    const problem = parsed.errors[0] ?? parsed.warnings[0];
    if (problem) throw problem;
    doc = parsed.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new InputError(`${fileName}: not valid YAML for a config (${quote((e as Error).message.split('\n')[0], 120)})`);
  }
  if (!isRecord(doc)) throw new InputError(`${fileName}: holds ${quote(doc)}, not a mapping of config fields`);
  const fail = (field: string, why: string): never => {
    throw new InputError(`${fileName}: ${field} ${why}`);
  };
  const arch = own(doc, 'arch');
  if (!isRecord(arch)) return fail('arch', 'is missing (pretrain.py writes the model under arch)');
  const name = own(arch, 'name');
  if (name !== ARCH_NAME) fail('arch.name', `is ${quote(name, 80)}; TRM Lab runs ${ARCH_NAME}`);
  const fields = new Map<string, number | string>();
  const take = (src: Record<string, unknown>, table: [string, string, Kind][], where: string) => {
    for (const [key, path, kind] of table) {
      const v = own(src, key);
      if (v === undefined || v === null) continue;
      if (typeof v !== 'number' || !Number.isFinite(v) || (kind === 'int' && !Number.isSafeInteger(v))) fail(`${where}${key}`, `is ${quote(v)}, not ${kind === 'int' ? 'an integer' : 'a number'}`);
      fields.set(path, v as number);
    }
  };
  take(arch, ARCH_FIELDS, 'arch.');
  take(doc, TOP_FIELDS, '');

  const pos = own(arch, 'pos_encodings');
  if (pos === 'learned') fail('arch.pos_encodings', 'is learned, which TRM Lab does not run yet (it has rope and none)');
  if (pos !== undefined && pos !== 'rope' && pos !== 'none') fail('arch.pos_encodings', `is ${quote(pos)}, not rope, none or learned`);
  const mlpT = own(arch, 'mlp_t');
  if (mlpT !== undefined && typeof mlpT !== 'boolean') fail('arch.mlp_t', `is ${quote(mlpT)}, not true or false`);
  if (mlpT !== undefined) fields.set('model.variant', mlpT ? 'mlp' : 'attention');
  // The MLP variant has no attention, so RoPE settings mean nothing there.
  if (pos !== undefined) fields.set('model.posEncoding', mlpT ? 'none' : (pos as string));
  const loss = own(arch, 'loss');
  const lossType = isRecord(loss) ? own(loss, 'loss_type') : undefined;
  if (lossType !== undefined) {
    if (typeof lossType !== 'string' || !(lossType in LOSS_TYPES)) fail('arch.loss.loss_type', `is ${quote(lossType)}, not ${Object.keys(LOSS_TYPES).join(' or ')}`);
    fields.set('optim.loss', LOSS_TYPES[lossType as string]);
  }
  const ratio = fields.get('optim.lrMinRatio');
  if (ratio !== undefined) fields.set('optim.schedule', ratio === 1 ? 'constant' : 'cosine');
  const ema = own(doc, 'ema'), rate = own(doc, 'ema_rate');
  if (ema !== undefined && typeof ema !== 'boolean') fail('ema', `is ${quote(ema)}, not true or false`);
  if (rate !== undefined && (typeof rate !== 'number' || !(rate >= 0 && rate < 1))) fail('ema_rate', `is ${quote(rate)}, not a number in [0, 1)`);
  if (ema !== undefined) fields.set('optim.ema', ema ? ((rate as number | undefined) ?? 0.999) : 0);
  const noAct = own(arch, 'no_ACT_continue');
  if (noAct !== undefined && typeof noAct !== 'boolean') fail('arch.no_ACT_continue', `is ${quote(noAct)}, not true or false`);
  const paths = own(doc, 'data_paths');
  if (paths !== undefined && !(Array.isArray(paths) && paths.every((p) => typeof p === 'string'))) fail('data_paths', 'is not a list of paths');
  const trmLab = own(doc, 'trm_lab');
  return { fields, dataPaths: (paths as string[] | undefined) ?? [], actContinue: noAct === false, ...(trmLab !== undefined && { trmLab }) };
}

/** all_config.yaml for a TRM Lab run, in the reference's fields, with the exact TRM Lab config in `trm_lab`. */
export function referenceConfigYaml(cfg: TrainConfig, data: DatasetInfo, step: number): string {
  const m = cfg.model, o = cfg.optim;
  const doc = {
    arch: {
      name: ARCH_NAME,
      loss: { name: 'losses@ACTLossHead', loss_type: o.loss === 'stablemax' ? 'stablemax_cross_entropy' : 'softmax_cross_entropy' },
      halt_exploration_prob: m.haltExplorationProb,
      halt_max_steps: m.nSup,
      H_cycles: m.T,
      L_cycles: m.n,
      H_layers: 0,
      L_layers: m.layers,
      hidden_size: m.hidden,
      num_heads: m.heads,
      expansion: m.expansion,
      puzzle_emb_ndim: m.puzzleEmbDim,
      pos_encodings: m.posEncoding,
      rope_theta: m.ropeBase,
      rms_norm_eps: m.rmsEps,
      forward_dtype: 'bfloat16',
      mlp_t: m.variant === 'mlp',
      puzzle_emb_len: m.puzzleEmbLen,
      no_ACT_continue: true,
    },
    data_paths: [`data/${data.name}`],
    data_paths_test: [],
    evaluators: cfg.data.kind === 'arc' || cfg.data.kind === 'arc-procedural' ? [{ name: 'arc@ARC' }] : [],
    global_batch_size: o.batchSize,
    lr: o.lr,
    lr_min_ratio: o.schedule === 'constant' ? 1 : o.lrMinRatio,
    lr_warmup_steps: o.warmupSteps,
    beta1: o.beta1,
    beta2: o.beta2,
    weight_decay: o.weightDecay,
    puzzle_emb_lr: o.puzzleEmbLr,
    puzzle_emb_weight_decay: o.puzzleEmbWeightDecay,
    seed: cfg.seed,
    ema: o.ema > 0,
    ema_rate: o.ema > 0 ? o.ema : 0.999,
    checkpoint_every_eval: true,
    trm_lab: { config: cfg, data, step },
  };
  return `# Written by TRM Lab. The reference fields follow pretrain.py's PretrainConfig; trm_lab holds the exact TRM Lab config.\n${stringify(doc)}`;
}
