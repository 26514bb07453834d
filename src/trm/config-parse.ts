/**
 * A TrainConfig from untrusted JSON (checkpoint metadata, a saved run, a link): every section and field checked
 * for presence and type, prototype names refused, then the same range checks as a user's config (configIssues).
 */
import { ConfigError, configIssues, type DataShape, type TrainConfig } from './config';

/** Throws ConfigError naming every bad field, prefixed with `where` (a file name or "the link"). */
export function parseTrainConfig(value: unknown, where: string, data?: DataShape): TrainConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError([{ field: where, message: 'the config is not an object' }]);
  const cfg = value as TrainConfig;
  const issues = configIssues(cfg, data);
  if (issues.length) throw new ConfigError(issues);
  return cfg;
}
