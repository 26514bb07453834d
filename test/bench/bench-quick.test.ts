import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { BenchResult } from '../../bench/types';

// The CI smoke run of the benchmark: `npm run bench -- --quick` end to end in Chromium (SwiftShader here).
// It proves the harness works and that both sides compute the same thing; it asserts no timing.
it('npm run bench -- --quick runs every workload in Chromium and both sides agree', () => {
  const out = mkdtempSync(join(tmpdir(), 'trm-bench-'));
  const r = spawnSync('npm', ['run', '-s', 'bench', '--', '--quick', '--out', out], { encoding: 'utf8', timeout: 900_000 });
  const log = `${r.stdout}\n${r.stderr}`;
  expect(r.status, log).toBe(0);
  const files = readdirSync(out);
  const json = files.find((f) => f.endsWith('-quick.json'));
  expect(json, files.join(', ')).toBeDefined();
  expect(files).toContain(json!.replace(/\.json$/, '.md'));
  const res = JSON.parse(readFileSync(join(out, json!), 'utf8')) as BenchResult;
  expect(res.runtime).toMatch(/Chrom/);
  expect(res.notes).toEqual([]);
  const groups = new Set(res.rows.map((row) => row.group));
  expect([...groups].sort()).toEqual(['infer', 'matmul', 'train']);
  expect(res.rows.some((row) => row.trm)).toBe(true);
  for (const row of res.rows) {
    expect(row.check?.pass, `${row.name}: ${row.check?.what} differs by ${row.check?.maxRelDiff}`).toBe(true);
    for (const side of [row.ours, row.tfjs]) {
      expect(side.ms).toBeGreaterThan(0);
      expect(side.cpuMs).toBeGreaterThan(0);
      expect(side.dispatches).toBeGreaterThan(0);
    }
  }
  // The small config's inference also ran on the float64 twin: after its 4 supervision steps both float32 sides
  // sit within 1e-3 of it (the MLP recursion amplifies rounding about tenfold per supervision step).
  const infer = res.rows.find((row) => row.group === 'infer');
  expect(infer?.check?.reference?.ours).toBeLessThan(1e-3);
  expect(infer?.check?.reference?.tfjs).toBeLessThan(1e-3);
  // The twin nudged one float32 rounding moves too (exactly 0 would mean the nudge never reached the weights),
  // and by as much as float32 arithmetic does: the model, not either implementation, sets this distance.
  expect(infer?.check?.reference?.rounding).toBeGreaterThan(1e-6);
  expect(infer?.check?.reference?.rounding).toBeLessThan(1e-3);
  expect(log).toContain('| row |');
}, 900_000);
