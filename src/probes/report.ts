/**
 * A probe's numbers as text, one fact a line: what `npm run probe` prints and the page shows under each chart, so
 * the two always agree. Accuracy lines are formatted as `npm run eval` formats them.
 */
import type { AccuracyByStep, AnswerChanges, LatentTrajectory, ProbeResult, TaskAblation } from './index';

const pct = (v: number, digits = 2) => (100 * v).toFixed(digits);
const byStep = (vs: readonly number[]) => vs.map((v) => pct(v, 1)).join(' ');
const label = (name: string) => name.padEnd(20);
const signed = (v: number) => `${v >= 0 ? '+' : '−'}${pct(Math.abs(v))}`;

function accuracyLines(r: AccuracyByStep): string[] {
  return [
    `${label('examples')}${r.examples}`,
    `${label('exact accuracy')}${pct(r.exactByStep[r.nSup - 1])}%`,
    `${label('token accuracy')}${pct(r.tokenByStep[r.nSup - 1])}%`,
    `${label('exact by step')}${byStep(r.exactByStep)}`,
    `${label('token by step')}${byStep(r.tokenByStep)}`,
    `${label('mean halting step')}${r.meanHaltStep.toFixed(2)} of ${r.nSup}`,
    `${label('halting step')}${r.haltCounts.map((c, s) => `${s + 1}: ${c}`).join('  ')}  (step ${r.nSup} includes never)`,
    `${label('fixed by recursion')}${r.fixed} wrong at step 1 and right at step ${r.nSup}; ${r.broken} the reverse`,
  ];
}

/** The side of the square grid a sequence of `n` positions forms (every puzzle kind here is square). */
const sideOf = (n: number) => Math.round(Math.sqrt(n));

function answerLines(r: AnswerChanges): string[] {
  const counts = new Array<number>(r.nSup).fill(0);
  for (const s of r.lastChange) counts[s - 1]++;
  const scored = r.correct.filter((c) => c !== null);
  const side = sideOf(r.lastChange.length);
  const width = String(r.nSup).length + 1;
  const rows = Array.from({ length: side }, (_, y) =>
    r.lastChange.slice(y * side, (y + 1) * side).map((s, x) => `${s}${r.correct[y * side + x] === false ? 'x' : ' '}`.padStart(width + 1)).join('').trimEnd(),
  );
  return [
    `${label('last change at step')}${counts.map((c, s) => `${s + 1}: ${c}`).join('  ')}  (cells)`,
    `${label('cells changed')}${r.changes.filter((c) => c > 0).length} of ${r.changes.length}; ${r.changes.filter((c) => c > 1).length} more than once`,
    `${label('right at the end')}${scored.filter(Boolean).length} of ${scored.length} cells with a target`,
    `${label('exact by step')}${r.exactByStep.map((c) => (c === null ? '-' : c ? 'yes' : 'no')).join(' ')}`,
    `${label('halt probability')}${r.haltProb.map((p) => p.toFixed(3)).join(' ')}`,
    'last change per cell (x: wrong at the end)',
    ...rows,
  ];
}

function trajectoryLines(r: LatentTrajectory): string[] {
  const lines = ['‖Δz‖ per latent update | ‖Δy‖ per answer update, by supervision step and cycle'];
  for (let s = 1; s <= r.nSup; s++) {
    for (let c = 1; c <= r.T; c++) {
      const pts = r.points.filter((p) => p.supStep === s && p.cycle === c);
      const z = pts.filter((p) => p.kind === 'z'), y = pts.filter((p) => p.kind === 'y');
      const g = (p: { delta: number }) => p.delta.toPrecision(3);
      lines.push(`step ${s} cycle ${c}  ${z.map(g).join(' ')} | ${y.map(g).join(' ')}`);
    }
  }
  return lines;
}

function ablationLines(r: TaskAblation): string[] {
  if (!r.applicable) return [`not applicable: ${r.reason}`];
  const [base] = r.scores;
  return [
    `${label('examples')}${r.examples}`,
    ...r.scores.map((s) =>
      s === base ? `${label(s.condition)}exact ${pct(s.exactAccuracy)}%  token ${pct(s.tokenAccuracy)}%`
      : `${label(s.condition)}exact ${pct(s.exactAccuracy)}% (${signed(s.exactAccuracy - base.exactAccuracy)})  token ${pct(s.tokenAccuracy)}% (${signed(s.tokenAccuracy - base.tokenAccuracy)})`,
    ),
    ...r.scores.map((s) => `${label(`${s.condition} by step`)}${byStep(s.exactByStep)}`),
    ...r.notes,
  ];
}

export function probeReport(p: ProbeResult): string[] {
  switch (p.probe) {
    case 'accuracy-by-step':
      return accuracyLines(p.result);
    case 'answer-changes':
      return answerLines(p.result);
    case 'latent-trajectory':
      return trajectoryLines(p.result);
    case 'task-ablation':
      return ablationLines(p.result);
  }
}
