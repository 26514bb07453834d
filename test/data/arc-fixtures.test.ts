import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARC_FIXTURES, DATASETS, hasDatasets, NEEDS_DATASETS } from '../helpers/datasets';

/** Every file under the fixtures, by path relative to the folder. */
function files(dir = ARC_FIXTURES): string[] {
  return readdirSync(dir).sort().flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [relative(ARC_FIXTURES, p)];
  });
}

const read = (root: string, rel: string) => readFileSync(join(root, rel));
const json = (root: string, rel: string) => JSON.parse(read(root, rel).toString('utf8')) as Record<string, unknown>;

/** Combined split → the per-task folder it is cut to. */
const SPLITS: Record<string, string> = {
  training: 'arc-agi-1/training',
  evaluation: 'arc-agi-1/evaluation',
  training2: 'arc-agi-2/training',
  evaluation2: 'arc-agi-2/evaluation',
  concept: 'concept-arc/corpus',
};

const combined = (split: string, kind: string) => `arc-kaggle/arc-agi_${split}_${kind}.json`;
const taskNames = (dir: string) => files().filter((f) => f.startsWith(`${dir}/`) && f.endsWith('.json')).map((f) => basename(f, '.json'));

describe('the committed ARC fixtures', () => {
  it('stay small, and the README names every task file', () => {
    const all = files();
    expect(all.reduce((n, f) => n + statSync(join(ARC_FIXTURES, f)).size, 0)).toBeLessThan(100_000);
    const readme = read(ARC_FIXTURES, 'README.md').toString('utf8');
    const tasks = all.filter((f) => f.endsWith('.json') && !f.startsWith('arc-kaggle/'));
    expect(tasks.length).toBeGreaterThan(10);
    for (const f of tasks) expect(readme, f).toContain(basename(f, '.json'));
    const sources = new Set(all.filter((f) => f.includes('/')).map((f) => f.split('/')[0]));
    for (const dir of sources) expect(all.some((f) => f.startsWith(`${dir}/LICENSE`)), `${dir}/LICENSE`).toBe(true);
  });

  it.each(Object.entries(SPLITS))('combined %s holds exactly the tasks of %s, solutions included', (split, dir) => {
    const challenges = Object.keys(json(ARC_FIXTURES, combined(split, 'challenges')));
    expect([...challenges].sort()).toEqual(taskNames(dir).sort());
    expect(Object.keys(json(ARC_FIXTURES, combined(split, 'solutions')))).toEqual(challenges);
  });
});

describe.skipIf(!hasDatasets)(`the fixtures are upstream's files ${NEEDS_DATASETS}`, () => {
  it('task and LICENSE files equal the copies byte for byte', () => {
    const own = files().filter((f) => !f.startsWith('arc-kaggle/arc-agi_') && f !== 'README.md');
    for (const f of own) expect(read(ARC_FIXTURES, f).equals(read(DATASETS, f)), f).toBe(true);
  });

  it.each(Object.keys(SPLITS).flatMap((s) => [[s, 'challenges'], [s, 'solutions']]))('combined %s %s: upstream cut to its tasks, in upstream order', (split, kind) => {
    const mine = json(ARC_FIXTURES, combined(split, kind));
    const upstream = json(DATASETS, combined(split, kind));
    const cut = Object.fromEntries(Object.entries(upstream).filter(([id]) => id in mine));
    expect(Object.keys(mine)).toEqual(Object.keys(cut));
    expect(mine).toEqual(cut);
  });
});
