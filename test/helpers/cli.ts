/**
 * The headless CLI as the tests run it: test/global-setup.ts builds it once per Vitest run into CLI_DIR, a folder
 * no npm script writes (`npm run train` rebuilds dist-cli/, emptying it first), inside the repository so the
 * bundle finds node_modules. Every test file runs that one build, so none can rebuild it under another.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** The build of the CLI the tests run: one script per CliScript. */
export const CLI_DIR = join(REPO, 'node_modules', '.cache', 'trm-cli-test');

export type CliScript = 'train' | 'eval' | 'export-data' | 'export-checkpoint' | 'model-card' | 'probe';

/** The bundled script, for a test that starts it its own way (asynchronously, to signal it). */
export const cliScript = (script: CliScript) => join(CLI_DIR, `${script}.js`);

export interface CliOptions {
  /** Working folder; by default the test process's (the repository root). */
  cwd?: string;
  /** Milliseconds before the run is killed (its code is then null); 120 s by default. */
  timeout?: number;
  /** Environment; by default the test process's. */
  env?: NodeJS.ProcessEnv;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node <CLI_DIR>/<script>.js ...args` to its end. */
export function runCli(script: CliScript, args: string[], opts: CliOptions = {}): CliResult {
  const r = spawnSync('node', [cliScript(script), ...args], { cwd: opts.cwd, env: opts.env, encoding: 'utf8', timeout: opts.timeout ?? 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Builds the CLI into CLI_DIR (emptied first); throws with vite's output when the build fails. */
export function buildCli(): void {
  const r = spawnSync('npx', ['vite', 'build', '--config', 'vite.cli.config.ts', '--outDir', CLI_DIR, '--emptyOutDir'], { cwd: REPO, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the CLI into ${CLI_DIR} failed (exit ${r.status}):\n${r.stderr}${r.stdout}${r.error ? String(r.error) : ''}`);
}
