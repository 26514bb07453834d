// npm run model-card -- --checkpoint FILE [--log metrics.jsonl] --id ID --title T --description D --trained-with CMD --machine M
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IGNORE_LABEL } from '../data/dataset';
import { restoreCheckpoint } from '../io/checkpoint';
import { TRAIN_PREFIX } from '../io/checkpoint-layout';
import { checkpointBytes } from '../io/open-checkpoint';
import { InputError, userMessage } from '../io/user-error';
import { MAX_PUZZLES } from '../trm/config';
import { evaluateSource } from '../trm/evaluate';
import { checkMemory, limitsBeforeDevice } from '../trm/memory';
import { Trainer } from '../trm/trainer';
import { configSummary, featuredOf, heldOutText, paramCount } from '../models/card';
import { CARD_FILE, INDEX_FILE, LOG_FILE, MODEL_FILE, checkModelId, indexText, parseCard, parseIndex, type CardEval, type ModelCard } from '../models/catalog';
import { thinLog } from '../models/log';
import { readmeTable, withTable } from '../models/readme-table';
import { choiceFlag, intFlag, parseArgs } from './args';
import { loadCheckpointFile } from './checkpoint-file';
import { loadEvalData } from './eval-data';
import { createNodeEngine, readTextFile } from './node-env';
import { writeFileAtomic } from './run-folder';

const HELP = `usage: npm run model-card -- --checkpoint FILE --id ID --title TEXT --description TEXT --trained-with CMD --machine TEXT [options]
  --checkpoint FILE    a TRM Lab checkpoint or a reference one (torch step_N or safetensors, all_config.yaml beside it)
  --log FILE           the run's metrics.jsonl (thinned into log.jsonl); without it the card says the log was not kept
  --id ID              folder name under --out and id in index.json (lower-case letters, digits, '-')
  --title, --description   what the page's model picker shows (a few words; one line)
  --trained-with CMD   the command that trained it (e.g. "npm run train -- --preset sudoku-6x6")
  --machine TEXT       where it trained (e.g. "2-core VM, CPU backend")
  --test-puzzles N     score the first N held-out examples of the config's test split (default: all of them)
  --backend gpu|cpu    WebGPU through Dawn (default) or the float64 CPU twin
  --out DIR            the catalog folder (default public/models, whose table in README.md is regenerated)
  --default yes        list the model first in index.json (the page opens on it)`;

const hasTarget = (labels: Int32Array) => labels.some((l) => l !== IGNORE_LABEL);

function required(flags: Map<string, string>, name: string): string {
  const v = flags.get(name);
  if (v === undefined) throw new InputError(`--${name} is required (see --help)`);
  return v;
}

/** Seconds of training: the log's last train line, else what the checkpoint noted, else unknown. */
function trainSeconds(log: string | null, notes: Record<string, unknown> | undefined): number | null {
  const last = log?.split('\n').filter((l) => l.trim()).reverse().map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.type === 'train');
  const s = last?.elapsedSec ?? notes?.trainSeconds;
  return typeof s === 'number' && Number.isFinite(s) ? Math.round(s) : null;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.length === 0) {
    console.log(HELP);
    return;
  }
  const { flags, overrides } = parseArgs(argv, ['checkpoint', 'log', 'id', 'title', 'description', 'trained-with', 'machine', 'test-puzzles', 'backend', 'out', 'default']);
  if (overrides.length) throw new InputError(`--${overrides[0][0]}: the card evaluates the checkpoint as it is; config overrides are not taken`);
  const path = required(flags, 'checkpoint');
  const id = checkModelId(required(flags, 'id'));
  const [title, description, command, machine] = ['title', 'description', 'trained-with', 'machine'].map((k) => required(flags, k));
  const limit = intFlag(flags, 'test-puzzles', { min: 1, max: MAX_PUZZLES });
  const backend = choiceFlag(flags, 'backend', ['gpu', 'cpu'] as const, 'gpu');
  const first = choiceFlag(flags, 'default', ['yes', 'no'] as const, 'no') === 'yes';
  const root = flags.get('out') ?? join('public', 'models');
  const logPath = flags.get('log');
  const rawLog = logPath ? readTextFile(logPath) : null;
  const log = rawLog && logPath ? thinLog(rawLog, logPath) : null;

  const ck = await loadCheckpointFile(path);
  const cfg = ck.meta.config, info = ck.meta.data, nSup = cfg.model.nSup;
  checkMemory(cfg, info, limitsBeforeDevice(backend), path);
  const source = loadEvalData('test', cfg, info);
  const all = source.evalExamples();
  const indices = all.map((_, i) => i).filter((i) => hasTarget(all[i].labels)).slice(0, limit);
  if (!indices.length) throw new InputError(`${path}: its config's test split has no held-out examples with a target to score`);
  const { engine, description: device } = await createNodeEngine(backend);
  const trainer = new Trainer(engine, cfg, { ...source, info });
  restoreCheckpoint(trainer, ck, path);
  const t0 = performance.now();
  const r = await trainer.evaluate(indices.map((i) => all[i]), { byStep: true });
  const arc = cfg.data.kind === 'arc' || cfg.data.kind === 'arc-procedural' ? await evaluateSource(trainer, source, indices.length) : null;
  console.error(`[trm] evaluated ${r.examples} held-out examples on ${device} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const detail = r.byStep!;
  const evaluation: CardEval = {
    examples: r.examples, exactAccuracy: r.exactAccuracy, tokenAccuracy: r.tokenAccuracy, exactByStep: r.exactByStep,
    tokenByStep: detail.tokenAccuracy, haltCounts: detail.haltCounts, meanHaltStep: r.meanHaltStep,
    ...(arc?.passAtK && { passAtK: arc.passAtK }),
  };

  // Weights only: the page never needs the optimizer state, which is three times the weights.
  const weights = new Map([...ck.tensors].filter(([name]) => !name.startsWith(TRAIN_PREFIX)));
  const modelBytes = checkpointBytes({ ...ck, tensors: weights });
  const dir = join(root, id);
  const card: ModelCard = {
    id, title, description,
    config: configSummary(cfg),
    params: paramCount(cfg, info),
    bytes: modelBytes.length,
    training: { command, steps: ck.meta.step, seconds: trainSeconds(rawLog, ck.meta.notes), machine },
    evalCommand: `npm run eval -- --checkpoint ${join(dir, MODEL_FILE)} --n ${r.examples}`,
    heldOut: heldOutText(cfg, r.examples),
    eval: evaluation,
    featured: featuredOf(detail, nSup, indices),
    log: log ? `the run's metrics.jsonl, thinned: every evaluation and at most 400 train reports` : `the training log was not kept; log.jsonl holds this card's evaluation only (step ${ck.meta.step})`,
  };
  const logText = log ?? JSON.stringify({ type: 'eval', step: ck.meta.step, ...evaluation }) + '\n';

  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, MODEL_FILE), modelBytes);
  writeFileAtomic(join(dir, CARD_FILE), JSON.stringify(card, null, 2) + '\n');
  writeFileAtomic(join(dir, LOG_FILE), logText);
  const indexPath = join(root, INDEX_FILE);
  const ids = existsSync(indexPath) ? parseIndex(readFileSync(indexPath, 'utf8'), indexPath).filter((x) => x !== id) : [];
  writeFileAtomic(indexPath, indexText(first ? [id, ...ids] : [...ids, id]));
  console.log(`${dir}: ${MODEL_FILE} (${modelBytes.length} bytes), ${CARD_FILE}, ${LOG_FILE}`);
  console.log(`exact by step   ${evaluation.exactByStep.map((v) => (100 * v).toFixed(1)).join(' ')}`);
  console.log(`token by step   ${evaluation.tokenByStep.map((v) => (100 * v).toFixed(1)).join(' ')}`);
  console.log(`halting steps   ${evaluation.haltCounts.join(' ')} (examples first saying halt at each step)`);
  console.log(`featured        ${card.featured.join(' ') || 'none (no held-out example is wrong at step 1 and right at the last)'}`);

  // The repository's own catalog: its README table follows the cards.
  const readme = 'README.md';
  if (!flags.has('out') && existsSync(readme)) {
    const cards = parseIndex(readFileSync(indexPath, 'utf8'), indexPath).map((x) => parseCard(readFileSync(join(root, x, CARD_FILE), 'utf8'), join(root, x, CARD_FILE)));
    writeFileSync(readme, withTable(readFileSync(readme, 'utf8'), readmeTable(cards), readme));
    console.log(`${readme}: "Shipped models" table regenerated from ${cards.length} card${cards.length === 1 ? '' : 's'}`);
  }
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(`[trm] error: ${userMessage(err)}`);
  process.exit(1);
});
