/**
 * all_config.yaml, the config pretrain.py writes beside its checkpoints (PretrainConfig.model_dump()), mapped to
 * and from TRM Lab's TrainConfig. Reading is safe YAML (core schema, no custom tags, bounded aliases) and takes
 * only the fields that mean something here, each type-checked; writing gives the reference's fields plus a
 * `trm_lab` block (pydantic ignores unknown top-level keys) holding what the reference cannot say, so an export
 * imports back exactly. The same table of fields (FIELDS) gives export-data's hydra overrides.
 */
import { parseDocument, stringify } from 'yaml';
import type { DatasetInfo } from '../data/dataset';
import { POS_ENCODINGS, type ModelConfig, type OptimConfig, type TrainConfig } from '../trm/config';
import { InputError, quote } from './user-error';
import { isJsonObject } from './json-value';

/** What an all_config.yaml says, in TRM Lab's terms: config fields by dotted path, and hints for the data. */
export interface ReferenceConfig {
  /** Model and optimizer fields the file sets, e.g. "model.hidden" → 512. */
  fields: Map<string, number | string>;
  /** data_paths, which name the dataset (e.g. data/sudoku-extreme-1k-aug-1000). */
  dataPaths: string[];
  /** no_ACT_continue: false (model.actContinue): q_continue trained on HRM's bootstrapped target. */
  actContinue: boolean;
  /** The block an export writes: the whole TRM Lab config, dataset shape and step. */
  trmLab?: unknown;
}

export const ARCH_NAME = 'recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1';
const LOSS_TYPES: Record<string, TrainConfig['optim']['loss']> = { stablemax_cross_entropy: 'stablemax', softmax_cross_entropy: 'softmax' };
const MAX_YAML = 1 << 20;
/** What config/arch/trm.yaml lacks, so pretrain.py runs the model's own defaults. */
const REFERENCE_ROPE_THETA = 10000;
const REFERENCE_RMS_EPS = 1e-5;

type Kind = 'int' | 'number';
/** A value of the reference's config: a number, a name, a flag, or a list (evaluators). */
export type ReferenceValue = number | string | boolean | readonly string[] | readonly { name: string }[];
/** What a value may need besides the config; a field whose value needs what is not given is left out. */
export interface ReferenceContext {
  /** The run length, which the reference counts in epochs: only export-data's overrides say it. */
  run?: { epochs: number; evalInterval?: number };
  /** The dataset, which data_paths names: only all_config.yaml says it (export-data writes the folder's path). */
  data?: DatasetInfo;
}
type Path = `model.${keyof ModelConfig}` | `optim.${keyof OptimConfig}` | 'seed';
const isArc = (cfg: TrainConfig) => cfg.data.kind === 'arc' || cfg.data.kind === 'arc-procedural';

interface FieldDef {
  /** The reference's name: `arch.` for the model config (dots nest further, as hydra reads them), else top-level. */
  name: string;
  /** Its value for a config; undefined leaves it out. */
  value: (cfg: TrainConfig, more: ReferenceContext) => ReferenceValue | undefined;
  /** The TrainConfig field a number here sets on reading, and its kind; absent: read specially, or not at all. */
  read?: [Path, Kind];
  /**
   * Whether export-data's hydra overrides say it (in this table's order); absent: left at what the reference sets
   * itself. `when` limits it, mostly to configs that differ from the reference's default; `add` writes `++`, for
   * fields config/arch/trm.yaml does not list.
   */
  hydra?: { when?: (cfg: TrainConfig, more: ReferenceContext) => boolean; add?: true };
}

/** A TrainConfig field the reference has under its own name: read and written as it is. */
function same(name: string, path: Path, kind: Kind, hydra?: FieldDef['hydra']): FieldDef {
  const [section, field] = path.split('.') as [keyof TrainConfig, string | undefined];
  const value = (cfg: TrainConfig) => (field === undefined ? cfg[section] : (cfg[section] as unknown as Record<string, number>)[field]) as number;
  return { name, value, read: [path, kind], ...(hydra && { hydra }) };
}
const fixed = (name: string, v: ReferenceValue): FieldDef => ({ name, value: () => v });

/**
 * The one mapping between TRM Lab's config and the reference's (pretrain.py's PretrainConfig, config/arch/trm.yaml),
 * in all_config.yaml's order. It gives the fields referenceConfigYaml writes, the numbers parseReferenceConfig
 * reads, and export-data's hydra overrides.
 */
const FIELDS: readonly FieldDef[] = [
  fixed('arch.name', ARCH_NAME),
  fixed('arch.loss.name', 'losses@ACTLossHead'),
  { name: 'arch.loss.loss_type', value: (c) => Object.keys(LOSS_TYPES).find((k) => LOSS_TYPES[k] === c.optim.loss), hydra: {} },
  same('arch.halt_exploration_prob', 'model.haltExplorationProb', 'number', {}),
  same('arch.halt_max_steps', 'model.nSup', 'int', {}),
  same('arch.H_cycles', 'model.T', 'int', {}),
  same('arch.L_cycles', 'model.n', 'int', {}),
  fixed('arch.H_layers', 0),
  same('arch.L_layers', 'model.layers', 'int', {}),
  same('arch.hidden_size', 'model.hidden', 'int', {}),
  same('arch.num_heads', 'model.heads', 'int', {}),
  same('arch.expansion', 'model.expansion', 'number', {}),
  same('arch.puzzle_emb_ndim', 'model.puzzleEmbDim', 'int', {}),
  { name: 'arch.pos_encodings', value: (c) => c.model.posEncoding, hydra: {} },
  same('arch.rope_theta', 'model.ropeBase', 'number', { when: (c) => c.model.ropeBase !== REFERENCE_ROPE_THETA, add: true }),
  same('arch.rms_norm_eps', 'model.rmsEps', 'number', { when: (c) => c.model.rmsEps !== REFERENCE_RMS_EPS, add: true }),
  fixed('arch.forward_dtype', 'bfloat16'),
  { name: 'arch.mlp_t', value: (c) => c.model.variant === 'mlp', hydra: {} },
  same('arch.puzzle_emb_len', 'model.puzzleEmbLen', 'int', {}),
  { name: 'arch.no_ACT_continue', value: (c) => !c.model.actContinue, hydra: { when: (c) => c.model.actContinue } },
  { name: 'data_paths', value: (_, { data }) => data && [`data/${data.name}`] },
  { name: 'data_paths_test', value: () => [] },
  // The reference's default evaluators are ARC's.
  { name: 'evaluators', value: (c) => (isArc(c) ? [{ name: 'arc@ARC' }] : []), hydra: { when: (c) => !isArc(c) } },
  same('global_batch_size', 'optim.batchSize', 'int', {}),
  { name: 'epochs', value: (_, { run }) => run?.epochs, hydra: {} },
  { name: 'eval_interval', value: (_, { run }) => run?.evalInterval, hydra: {} },
  same('lr', 'optim.lr', 'number', {}),
  { name: 'lr_min_ratio', value: (c) => (c.optim.schedule === 'constant' ? 1 : c.optim.lrMinRatio), read: ['optim.lrMinRatio', 'number'], hydra: {} },
  same('lr_warmup_steps', 'optim.warmupSteps', 'int', {}),
  same('beta1', 'optim.beta1', 'number', {}),
  same('beta2', 'optim.beta2', 'number', {}),
  same('weight_decay', 'optim.weightDecay', 'number', {}),
  same('puzzle_emb_lr', 'optim.puzzleEmbLr', 'number', {}),
  same('puzzle_emb_weight_decay', 'optim.puzzleEmbWeightDecay', 'number', {}),
  same('seed', 'seed', 'int', {}),
  { name: 'ema', value: (c) => c.optim.ema > 0, hydra: {} },
  { name: 'ema_rate', value: (c) => (c.optim.ema > 0 ? c.optim.ema : 0.999), hydra: { when: (c) => c.optim.ema > 0 } },
  // all_config.yaml keeps every checkpoint; a run with evaluations between keeps one per evaluation.
  { name: 'checkpoint_every_eval', value: () => true, hydra: { when: (_, { run }) => run?.evalInterval !== undefined } },
];

/** One field of the reference's config with its value for a config. */
export interface ReferenceField {
  /** e.g. "arch.hidden_size", "arch.loss.loss_type", "lr". */
  name: string;
  value: ReferenceValue;
}

/** The reference's fields for a config, in all_config.yaml's order. */
export function referenceFields(cfg: TrainConfig, more: ReferenceContext = {}): ReferenceField[] {
  return FIELDS.flatMap(({ name, value }) => {
    const v = value(cfg, more);
    return v === undefined ? [] : [{ name, value: v }];
  });
}

/**
 * The reference's fields a config (and its run) sets as hydra overrides, in the torchrun line's order: those
 * pretrain.py would otherwise take from its own config, and only where a field may differ from that.
 */
export function referenceOverrides(cfg: TrainConfig, run: ReferenceContext['run']): (ReferenceField & { add: boolean })[] {
  return FIELDS.flatMap((f) => {
    const v = f.value(cfg, { run });
    return f.hydra && v !== undefined && (f.hydra.when?.(cfg, { run }) ?? true) ? [{ name: f.name, value: v, add: f.hydra.add === true }] : [];
  });
}

/** The numbers parseReferenceConfig takes as they are: reference name → TrainConfig path and kind. */
const READ_FIELDS = FIELDS.flatMap((f) => (f.read ? [{ name: f.name, path: f.read[0], kind: f.read[1] }] : []));

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
  if (!isJsonObject(doc)) throw new InputError(`${fileName}: holds ${quote(doc)}, not a mapping of config fields`);
  const fail = (field: string, why: string): never => {
    throw new InputError(`${fileName}: ${field} ${why}`);
  };
  const arch = own(doc, 'arch');
  if (!isJsonObject(arch)) return fail('arch', 'is missing (pretrain.py writes the model under arch)');
  const name = own(arch, 'name');
  if (name !== ARCH_NAME) fail('arch.name', `is ${quote(name, 80)}; TRM Lab runs ${ARCH_NAME}`);
  const fields = new Map<string, number | string>();
  for (const { name, path, kind } of READ_FIELDS) {
    const v = name.split('.').reduce<unknown>((o, k) => (isJsonObject(o) ? own(o, k) : undefined), doc);
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || (kind === 'int' && !Number.isSafeInteger(v))) fail(name, `is ${quote(v)}, not ${kind === 'int' ? 'an integer' : 'a number'}`);
    fields.set(path, v as number);
  }

  const pos = own(arch, 'pos_encodings');
  if (pos !== undefined && !(POS_ENCODINGS as readonly unknown[]).includes(pos)) fail('arch.pos_encodings', `is ${quote(pos)}, not ${POS_ENCODINGS.join(', ')}`);
  const mlpT = own(arch, 'mlp_t');
  if (mlpT !== undefined && typeof mlpT !== 'boolean') fail('arch.mlp_t', `is ${quote(mlpT)}, not true or false`);
  if (mlpT !== undefined) fields.set('model.variant', mlpT ? 'mlp' : 'attention');
  // The MLP variant has no attention, so RoPE settings mean nothing there (a learned table does).
  if (pos !== undefined) fields.set('model.posEncoding', mlpT && pos === 'rope' ? 'none' : (pos as string));
  const loss = own(arch, 'loss');
  const lossType = isJsonObject(loss) ? own(loss, 'loss_type') : undefined;
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
  const doc: Record<string, unknown> = {};
  for (const { name, value } of referenceFields(cfg, { data })) {
    const keys = name.split('.');
    const last = keys.pop()!;
    let at = doc;
    for (const k of keys) at = (at[k] ??= {}) as Record<string, unknown>;
    at[last] = value;
  }
  doc.trm_lab = { config: cfg, data, step };
  return `# Written by TRM Lab. The reference fields follow pretrain.py's PretrainConfig; trm_lab holds the exact TRM Lab config.\n${stringify(doc)}`;
}
