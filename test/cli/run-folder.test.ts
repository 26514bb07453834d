import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { claimRunFolder, createFileAtomic, planRunFolder, runFilesIn, sameFile, writeFileAtomic } from '../../src/cli/run-folder';
import { snapshot } from '../helpers/files';
import { refusal } from '../helpers/user-message';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'trm-run-folder-'));
});

/** A folder holding a run: the given run files with recognisable contents. */
function runIn(dir: string, files = ['config.json', 'checkpoint.safetensors', 'metrics.jsonl']): string {
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(join(dir, f), `${f} of ${dir}`);
  return dir;
}

describe('a folder holds a run', () => {
  it('when any run file is there, and not otherwise', () => {
    expect(runFilesIn(join(root, 'missing'))).toEqual([]);
    mkdirSync(join(root, 'empty'));
    expect(runFilesIn(join(root, 'empty'))).toEqual([]);
    const other = join(root, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'notes.txt'), 'mine');
    writeFileSync(join(other, '.config.json.123.tmp'), 'a write cut short');
    expect(runFilesIn(other)).toEqual([]);
    expect(runFilesIn(runIn(join(root, 'metrics-only'), ['metrics.jsonl']))).toEqual(['metrics.jsonl']);
    expect(runFilesIn(runIn(join(root, 'full')))).toEqual(['config.json', 'checkpoint.safetensors', 'metrics.jsonl']);
    // A dangling link named like a run file still marks a run someone made.
    const linked = join(root, 'linked');
    mkdirSync(linked);
    symlinkSync(join(root, 'gone.safetensors'), join(linked, 'checkpoint.safetensors'));
    expect(runFilesIn(linked)).toEqual(['checkpoint.safetensors']);
  });

  it('a file where a folder is wanted is refused naming it', () => {
    const file = join(root, 'plain');
    writeFileSync(file, 'x');
    expect(refusal(() => runFilesIn(file))).toBe(`--out "${file}": is a file, not a folder`);
    expect(refusal(() => planRunFolder({ out: file }))).toBe(`--out "${file}": is a file, not a folder`);
  });
});

describe('a new run', () => {
  it('takes an explicit --out that is new, empty or holds only other files', () => {
    expect(planRunFolder({ out: join(root, 'new', 'deeper') })).toEqual({ dir: join(root, 'new', 'deeper'), continues: false });
    mkdirSync(join(root, 'empty'));
    writeFileSync(join(root, 'empty', 'README'), 'mine');
    expect(planRunFolder({ out: join(root, 'empty') })).toEqual({ dir: join(root, 'empty'), continues: false });
  });

  it('refuses an explicit --out that holds another run, naming it, what is there and how to go on', () => {
    const dir = runIn(join(root, 'run'));
    expect(refusal(() => planRunFolder({ out: dir, preset: 'sudoku-4x4' }))).toBe(
      `--out "${dir}" holds another run (config.json, checkpoint.safetensors, metrics.jsonl); continue it with --resume ${join(dir, 'checkpoint.safetensors')} or choose another --out (an empty or new folder)`,
    );
    // Without a checkpoint there is nothing to resume: only another folder is offered.
    const partial = runIn(join(root, 'partial'), ['config.json', 'metrics.jsonl']);
    expect(refusal(() => planRunFolder({ out: partial }))).toBe(`--out "${partial}" holds another run (config.json, metrics.jsonl); choose another --out (an empty or new folder)`);
    expect(refusal(() => planRunFolder({ out: '' }))).toBe('--out: the folder name is empty');
  });

  it('without --out takes runs/<preset>, else the first of -2, -3 … that holds no run, and says so', () => {
    const runs = join(root, 'runs');
    expect(planRunFolder({ preset: 'maze', root: runs })).toEqual({ dir: join(runs, 'maze'), continues: false });
    runIn(join(runs, 'maze'), ['checkpoint.safetensors']);
    expect(planRunFolder({ preset: 'maze', root: runs })).toEqual({
      dir: join(runs, 'maze-2'), continues: false, note: `${join(runs, 'maze')} holds another run, so this run writes to ${join(runs, 'maze-2')}`,
    });
    runIn(join(runs, 'maze-2'), ['metrics.jsonl']);
    writeFileSync(join(runs, 'maze-3'), 'a file, not a folder');
    mkdirSync(join(runs, 'maze-4'));
    expect(planRunFolder({ preset: 'maze', root: runs }).dir).toBe(join(runs, 'maze-4'));
    // Another preset's folders do not count.
    expect(planRunFolder({ preset: 'maze-x', root: runs }).dir).toBe(join(runs, 'maze-x'));
    expect(refusal(() => planRunFolder({ root: runs }))).toBe('--preset is required (or --resume)');
  });
});

describe('a resumed run', () => {
  it('continues beside its own checkpoint, however the path is spelled or linked', () => {
    const dir = runIn(join(root, 'run'));
    const ckpt = join(dir, 'checkpoint.safetensors');
    expect(planRunFolder({ resume: ckpt })).toEqual({ dir, continues: true });
    expect(planRunFolder({ resume: join(root, 'run', '..', 'run', 'checkpoint.safetensors') }).continues).toBe(true);
    expect(planRunFolder({ resume: ckpt, out: join(root, '.', 'run') })).toEqual({ dir: join(root, 'run'), continues: true });
    const link = join(root, 'link.safetensors');
    symlinkSync(ckpt, link);
    expect(planRunFolder({ resume: link, out: dir })).toEqual({ dir, continues: true });
  });

  it('starts beside a checkpoint whose folder holds no run, and in a new or empty --out', () => {
    mkdirSync(join(root, 'exported'));
    const weights = join(root, 'exported', 'weights.safetensors');
    writeFileSync(weights, 'w');
    expect(planRunFolder({ resume: weights })).toEqual({ dir: join(root, 'exported'), continues: false });
    const ckpt = join(runIn(join(root, 'run')), 'checkpoint.safetensors');
    expect(planRunFolder({ resume: ckpt, out: join(root, 'fresh') })).toEqual({ dir: join(root, 'fresh'), continues: false });
  });

  it('refuses an --out that holds a different run, and a checkpoint folder whose run is not the one resumed', () => {
    const ckpt = join(runIn(join(root, 'a')), 'checkpoint.safetensors');
    const other = runIn(join(root, 'b'));
    expect(refusal(() => planRunFolder({ resume: ckpt, out: other }))).toBe(
      `--out "${other}" holds another run (config.json, checkpoint.safetensors, metrics.jsonl) whose checkpoint is not the one resumed; write the resumed run elsewhere with --out DIR (an empty or new folder)`,
    );
    // A copy of a run's checkpoint is a different file: continuing beside it would replace the run's own.
    const copy = join(root, 'b', 'backup.safetensors');
    writeFileSync(copy, readFileSync(join(other, 'checkpoint.safetensors')));
    expect(refusal(() => planRunFolder({ resume: copy }))).toBe(
      `"${other}" (the folder of --resume "${copy}") holds another run (config.json, checkpoint.safetensors, metrics.jsonl) whose checkpoint is not the one resumed; write the resumed run elsewhere with --out DIR (an empty or new folder)`,
    );
    const noCkpt = runIn(join(root, 'c'), ['metrics.jsonl']);
    expect(refusal(() => planRunFolder({ resume: ckpt, out: noCkpt }))).toMatch(/^--out ".*c" holds another run \(metrics\.jsonl\) whose checkpoint is not the one resumed/);
  });
});

describe('same file', () => {
  it('is true for one file under two names and false for equal copies or missing files', () => {
    const a = join(root, 'a');
    writeFileSync(a, 'same bytes');
    writeFileSync(join(root, 'copy'), 'same bytes');
    linkSync(a, join(root, 'hard'));
    expect(sameFile(a, join(root, 'hard'))).toBe(true);
    expect(sameFile(a, join(root, 'copy'))).toBe(false);
    expect(sameFile(a, join(root, 'missing'))).toBe(false);
    expect(sameFile(join(root, 'missing'), join(root, 'missing'))).toBe(false);
  });
});

describe('claiming the folder', () => {
  it('creates it and writes the config, the run’s first write', () => {
    const req = { out: join(root, 'x', 'y') };
    expect(claimRunFolder(req, planRunFolder(req), '{"steps": 3}')).toEqual({ dir: join(root, 'x', 'y'), continues: false });
    expect(readFileSync(join(root, 'x', 'y', 'config.json'), 'utf8')).toBe('{"steps": 3}');
    expect(readdirSync(join(root, 'x', 'y'))).toEqual(['config.json']);
  });

  it('refuses an explicit folder where a run appeared since it was planned, leaving that run alone', () => {
    const req = { out: join(root, 'raced') };
    const planned = planRunFolder(req);
    runIn(req.out, ['metrics.jsonl']);
    const before = snapshot(req.out);
    expect(refusal(() => claimRunFolder(req, planned, '{}'))).toBe(`--out "${req.out}" holds another run (metrics.jsonl); choose another --out (an empty or new folder)`);
    expect(snapshot(req.out)).toEqual(before);
    // A resume into a new --out likewise.
    const ckpt = join(runIn(join(root, 'mine')), 'checkpoint.safetensors');
    const resumed = { resume: ckpt, out: join(root, 'raced-too') };
    const plan = planRunFolder(resumed);
    runIn(resumed.out, ['config.json']);
    expect(refusal(() => claimRunFolder(resumed, plan, '{}'))).toMatch(/^--out ".*raced-too" holds another run \(config\.json\) whose checkpoint is not the one resumed/);
    expect(readFileSync(join(resumed.out, 'config.json'), 'utf8')).toBe(`config.json of ${resumed.out}`);
  });

  it('moves a default-folder run on to the next free folder when another run took its folder first', () => {
    const req = { preset: 'maze', root: join(root, 'runs') };
    const planned = planRunFolder(req);
    runIn(planned.dir, ['config.json']);
    const before = snapshot(planned.dir);
    const folder = claimRunFolder(req, planned, '{"mine": true}');
    expect(folder).toEqual({ dir: `${planned.dir}-2`, continues: false, note: `${planned.dir} holds another run, so this run writes to ${planned.dir}-2` });
    expect(readFileSync(join(folder.dir, 'config.json'), 'utf8')).toBe('{"mine": true}');
    expect(snapshot(planned.dir)).toEqual(before);
  });

  it('replaces the config of the run it continues', () => {
    const dir = runIn(join(root, 'run'));
    const req = { resume: join(dir, 'checkpoint.safetensors') };
    expect(claimRunFolder(req, planRunFolder(req), '{"steps": 8}')).toEqual({ dir, continues: true });
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe('{"steps": 8}');
    expect(readFileSync(join(dir, 'metrics.jsonl'), 'utf8')).toBe(`metrics.jsonl of ${dir}`);
  });
});

describe('atomic writes', () => {
  it('replace a file whole and leave no temporary file', () => {
    const path = join(root, 'checkpoint.safetensors');
    writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    writeFileAtomic(path, new Uint8Array([4, 5]));
    expect([...readFileSync(path)]).toEqual([4, 5]);
    expect(readdirSync(root)).toEqual(['checkpoint.safetensors']);
  });

  it('create a file only where none is, leaving an existing one alone', () => {
    const path = join(root, 'config.json');
    expect(createFileAtomic(path, 'first')).toBe(true);
    expect(createFileAtomic(path, 'second')).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe('first');
    expect(readdirSync(root)).toEqual(['config.json']);
  });

  it('a write that fails leaves the target as it was and no temporary file', () => {
    // A folder where the file should go: the final move fails after the data was written beside it.
    const target = join(root, 'checkpoint.safetensors');
    mkdirSync(target);
    writeFileSync(join(target, 'inside'), 'kept');
    expect(() => writeFileAtomic(target, 'data')).toThrow();
    expect(statSync(target).isDirectory()).toBe(true);
    expect(readFileSync(join(target, 'inside'), 'utf8')).toBe('kept');
    expect(readdirSync(root)).toEqual(['checkpoint.safetensors']);
  });
});
