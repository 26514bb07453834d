/** Immutable edits of a TrainConfig by dotted path, as the config form makes them. */
import { configIssues, type ConfigIssue, type DataConfig, type DataShape, type TrainConfig } from '../trm/config';
import { isOwnKey } from '../trm/config-parse';
import { dataShapeOf, limitsBeforeDevice, memoryIssues, type EngineLimits } from '../trm/memory';
import { PRESET_NAMES, PRESETS } from '../trm/presets';

export type FieldValue = number | string | boolean | string[];

/** A copy of `cfg` with the field at `path` (e.g. "optim.lr") set; a new data kind brings that kind's fields. */
export function setConfigField(cfg: TrainConfig, path: string, value: FieldValue): TrainConfig {
  if (path === 'data.kind') return withDataKind(cfg, String(value) as DataConfig['kind']);
  const out = structuredClone(cfg) as unknown as Record<string, unknown>;
  const parts = path.split('.');
  let o = out;
  // Own properties only: "__proto__" or "constructor" in a path must never reach Object.prototype.
  for (const p of parts.slice(0, -1)) {
    if (!isOwnKey(o, p) || !o[p] || typeof o[p] !== 'object') throw new Error(`no config section "${p}" in ${path}`);
    o = o[p] as Record<string, unknown>;
  }
  const key = parts[parts.length - 1];
  if (!isOwnKey(o, key)) throw new Error(`no config field ${path}`);
  o[key] = Array.isArray(value) ? value.slice() : value;
  return out as unknown as TrainConfig;
}

export function getConfigField(cfg: TrainConfig, path: string): FieldValue | undefined {
  let o: unknown = cfg;
  for (const p of path.split('.')) o = o && typeof o === 'object' && isOwnKey(o, p) ? (o as Record<string, unknown>)[p] : undefined;
  return o as FieldValue | undefined;
}

/** Defaults for a data kind: its data section in the first laptop-sized preset (else a paper preset), or undefined. */
export function dataDefaults(kind: string): DataConfig | undefined {
  const names = [...PRESET_NAMES.filter((n) => !n.startsWith('paper-')), ...PRESET_NAMES.filter((n) => n.startsWith('paper-'))];
  const name = names.find((n) => PRESETS[n].data.kind === kind);
  return name ? structuredClone(PRESETS[name].data) : undefined;
}

/** A copy of `cfg` training on another kind of data, with that kind's default settings. */
export function withDataKind(cfg: TrainConfig, kind: DataConfig['kind']): TrainConfig {
  if (cfg.data.kind === kind) return cfg;
  const data = dataDefaults(kind);
  if (!data) throw new Error(`unknown data kind ${kind}`);
  return { ...structuredClone(cfg), data };
}

/** Validation messages by field path, for inline display. */
export function issuesByField(cfg: TrainConfig, data?: DataShape): Map<string, string[]> {
  return groupByField(configIssues(cfg, data));
}

export function groupByField(issues: readonly ConfigIssue[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const i of issues) out.set(i.field, [...(out.get(i.field) ?? []), i.message]);
  return out;
}

/**
 * Everything that keeps the form's config from training, known before Start: its fields' ranges and how they fit
 * together, then (once those hold) the memory it needs against the engine's limits, or before the engine is
 * ready against the most any GPU holds.
 */
export function draftIssues(cfg: TrainConfig, limits: EngineLimits | null = null): ConfigIssue[] {
  const issues = configIssues(cfg);
  if (issues.length) return issues;
  return memoryIssues(cfg, dataShapeOf(cfg.data), limits ?? limitsBeforeDevice('gpu'));
}

/** Why Start (which builds a run from the form) is disabled, naming the fields; null when the form can train. */
export function startBlockedReason(issues: readonly ConfigIssue[]): string | null {
  if (!issues.length) return null;
  const fields = [...new Set(issues.map((i) => i.field))];
  const named = fields.length <= 4 ? fields.join(', ') : `${fields.slice(0, 4).join(', ')} and ${fields.length - 4} more`;
  return `Start is disabled: the form's config has ${issues.length === 1 ? 'a problem' : `${issues.length} problems`} (${named}), flagged beside ${issues.length === 1 ? 'its field' : 'their fields'}.`;
}
