import { spawnSync } from 'node:child_process';

/**
 * The Python the cross-checks run: TRM_LAB_PYTHON, else Debian's /usr/bin/python3 (python3-numpy, python3-torch),
 * which scripts/ensure-test-env.sh installs or names before any test runs.
 */
export const PYTHON = process.env.TRM_LAB_PYTHON || '/usr/bin/python3';

/** Run Python with `args` (a script path or `-c CODE`, then its arguments); its stdout, or a thrown error with stderr. */
export function runPython(args: string[], input?: string): string {
  const r = spawnSync(PYTHON, args, { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${PYTHON} ${args[0] === '-c' ? '-c …' : args[0]} exited ${r.status}: ${(r.stderr ?? String(r.error)).slice(-2000)}`);
  return r.stdout;
}
