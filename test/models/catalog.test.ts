import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../../src/io/checkpoint';
import { TRAIN_PREFIX } from '../../src/io/checkpoint-layout';
import { configSummary, featuredOf, paramCount } from '../../src/models/card';
import { CARD_FILE, INDEX_FILE, LOG_FILE, MODEL_FILE, parseCard, parseIndex } from '../../src/models/catalog';
import { parseLog, thinLog } from '../../src/models/log';
import { readmeTable, tableIn } from '../../src/models/readme-table';
import { thrown } from '../helpers/user-message';

const ROOT = 'public/models';
const ids = parseIndex(readFileSync(join(ROOT, INDEX_FILE), 'utf8'));
const cards = ids.map((id) => parseCard(readFileSync(join(ROOT, id, CARD_FILE), 'utf8'), `${id}/${CARD_FILE}`));

describe('the shipped catalog', () => {
  it.each(ids)('%s: its card describes its checkpoint, and its log reads', (id) => {
    const card = cards[ids.indexOf(id)];
    expect(card.id).toBe(id);
    const bytes = readFileSync(join(ROOT, id, MODEL_FILE));
    expect(card.bytes).toBe(statSync(join(ROOT, id, MODEL_FILE)).size);
    expect(bytes.length).toBeLessThan(4 << 20); // the page fetches it on first load
    const ck = parseCheckpoint(new Uint8Array(bytes), MODEL_FILE);
    expect([...ck.tensors.keys()].some((k) => k.startsWith(TRAIN_PREFIX))).toBe(false);
    expect(card.config).toBe(configSummary(ck.meta.config));
    expect(card.params).toBe(paramCount(ck.meta.config, ck.meta.data));
    expect(card.training.steps).toBe(ck.meta.step);
    const nSup = ck.meta.config.model.nSup;
    expect(card.eval.exactByStep).toHaveLength(nSup);
    expect(card.eval.exactAccuracy).toBe(card.eval.exactByStep[nSup - 1]);
    expect(card.eval.haltCounts.reduce((a, b) => a + b, 0)).toBe(card.eval.examples);
    expect(card.featured.every((i) => i < card.eval.examples)).toBe(true);
    const log = parseLog(readFileSync(join(ROOT, id, LOG_FILE), 'utf8'), LOG_FILE);
    expect(log.history.length + log.evals.length).toBeGreaterThan(0);
  });

  it("README's table is the one the cards generate", () => {
    expect(tableIn(readFileSync('README.md', 'utf8'))).toBe(readmeTable(cards));
  });
});

describe('card pieces', () => {
  it('features examples wrong at step 1 and right at the last, latest to settle first', () => {
    // 4 examples × 3 steps: right late (settles at 3), never right, right from step 1, right from step 2.
    const exact = Uint8Array.from([0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 1, 1]);
    expect(featuredOf({ exact, tokenAccuracy: [], haltCounts: [] }, 3, [10, 11, 12, 13])).toEqual([10, 13]);
  });

  it('thins a log to its evaluations and evenly spaced train lines, first and last kept', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ type: 'train', step: i + 1, loss: 1 / (i + 1), count: 4 }));
    lines.splice(500, 0, JSON.stringify({ type: 'eval', step: 500, examples: 8, exactAccuracy: 0.5, tokenAccuracy: 0.9, exactByStep: [0.5], meanHaltStep: 1 }));
    const thinned = thinLog(lines.join('\n') + '\n', 'metrics.jsonl', 100);
    const { history, evals } = parseLog(thinned, 'log.jsonl');
    expect(history).toHaveLength(100);
    expect(history[0].step).toBe(1);
    expect(history.at(-1)!.step).toBe(1000);
    expect(history[0].loss).toBe(1);
    expect(evals).toEqual([{ step: 500, examples: 8, exactAccuracy: 0.5, tokenAccuracy: 0.9, meanHaltStep: 1, passAt1: null, passAt2: null }]);
  });

  it('refuses a bad card or log with one line naming the file and field', () => {
    const good = readFileSync(join(ROOT, ids[0], CARD_FILE), 'utf8');
    const bad = JSON.stringify({ ...JSON.parse(good), eval: { ...JSON.parse(good).eval, tokenByStep: [1] } });
    expect(thrown(() => parseCard(bad, 'x/card.json')).message).toMatch(/^x\/card\.json eval: tokenByStep must be a list of \d+ numbers/);
    expect(thrown(() => parseIndex('{"models": ["Bad Id"]}')).message).toMatch(/index\.json: "Bad Id" is not a model id/);
    expect(thrown(() => parseLog('{"type":"train","step":1}\n{oops\n', 'log.jsonl')).message).toBe('log.jsonl line 2: not JSON');
  });
});
