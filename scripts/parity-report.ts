// After the test run: every @compute entry point in shaders/ must have at least one passing GPU-vs-CPU
// parity record; prints the worst relative error per kernel (the table the closing notes quote).
import { existsSync, readdirSync, readFileSync } from 'node:fs';

interface Rec { kernel: string; case: string; error: number; tol: number }

const entries: string[] = [];
for (const f of readdirSync('shaders').filter((f) => f.endsWith('.wgsl')).sort()) {
  const src = readFileSync(`shaders/${f}`, 'utf8');
  for (const m of src.matchAll(/@compute[^]*?fn\s+([A-Za-z_][A-Za-z0-9_]*)/g)) entries.push(`${f.replace(/\.wgsl$/, '')}.${m[1]}`);
}
const log = 'test-results/parity.jsonl';
const recs: Rec[] = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec) : [];
const byKernel = new Map<string, Rec[]>();
for (const r of recs) byKernel.set(r.kernel, [...(byKernel.get(r.kernel) ?? []), r]);

const rows: string[] = [];
const missing: string[] = [];
for (const k of entries) {
  const rs = byKernel.get(k) ?? [];
  if (rs.length === 0) {
    missing.push(k);
    continue;
  }
  const worst = rs.reduce((a, b) => (b.error > a.error ? b : a));
  rows.push(`| ${k} | ${rs.length} | ${worst.error.toExponential(2)} (${worst.case}) | ${worst.tol} |`);
}
const unknown = [...byKernel.keys()].filter((k) => !entries.includes(k));
console.log('\n| kernel entry point | parity cases | worst relative error | tolerance |\n|---|---|---|---|');
console.log(rows.join('\n'));
if (unknown.length) console.log(`\nparity records for unknown entry points: ${unknown.join(', ')}`);
if (missing.length) {
  console.error(`\nFAIL: ${missing.length} entry point(s) have no GPU parity test: ${missing.join(', ')}`);
  process.exit(1);
}
console.log(`\nparity coverage: ${entries.length} entry points, ${recs.length} cases, all covered`);
