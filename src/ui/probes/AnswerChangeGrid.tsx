import type { AnswerChanges } from '../../probes';
import { viewSide, viewSymbols, type PuzzleView } from '../puzzle-codec';

/** A colour per supervision step, dark blue (step 1: settled at once) to yellow (the last step), viridis-like. */
const STOPS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

export function stepColour(step: number, nSup: number): string {
  const t = nSup > 1 ? (step - 1) / (nSup - 1) : 0;
  const at = t * (STOPS.length - 1), i = Math.min(Math.floor(at), STOPS.length - 2), f = at - i;
  const [r, g, b] = STOPS[i].map((v, k) => Math.round(v + f * (STOPS[i + 1][k] - v)));
  return `rgb(${r}, ${g}, ${b})`;
}

const inkOn = (step: number, nSup: number) => (nSup > 1 && (step - 1) / (nSup - 1) > 0.6 ? '#000' : '#fff');

/**
 * Per cell, the supervision step at which the answer last changed (colour and number), with cells wrong at the
 * end crossed in red and cells without a target dimmed; a legend of the steps below.
 */
export function AnswerChangeGrid({ r, view, size = 260 }: { r: AnswerChanges; view: PuzzleView; size?: number }) {
  const side = viewSide(view);
  const cell = Math.max(8, Math.floor(size / side));
  const symbols = viewSymbols(view);
  const steps = Array.from({ length: r.nSup }, (_, s) => s + 1);
  return (
    <figure className="pb-heat" data-testid="probe-chart-answer-changes">
      <figcaption>Supervision step at which each cell's answer last changed</figcaption>
      <div className="pb-heat-grid" style={{ gridTemplateColumns: `repeat(${side}, ${cell}px)`, gridAutoRows: `${cell}px`, fontSize: Math.max(7, Math.floor(cell * 0.45)) }} data-h={side} data-w={side}>
        {r.lastChange.map((step, i) => {
          const right = r.correct[i];
          const title = `row ${Math.floor(i / side) + 1}, column ${(i % side) + 1}: answer ${symbols.look(r.final[i]).name}, last changed at step ${step}, changed ${r.changes[i]}×${right === null ? ', no target' : right ? ', right' : ', wrong'}`;
          return (
            <div
              key={i}
              className={`pb-cell${right === false ? ' pb-wrong' : ''}${right === null ? ' pb-untargeted' : ''}`}
              style={{ background: stepColour(step, r.nSup), color: inkOn(step, r.nSup) }}
              title={title}
              data-r={Math.floor(i / side)}
              data-c={i % side}
              data-v={step}
              data-right={right === null ? 'none' : String(right)}
            >
              {cell >= 14 ? step : ''}
            </div>
          );
        })}
      </div>
      <div className="pb-legend" data-testid="probe-legend">
        {steps.map((s) => (
          <span key={s}>
            <i style={{ background: stepColour(s, r.nSup) }} />
            {s === 1 ? 'step 1 (settled at once)' : `step ${s}`}
          </span>
        ))}
        <span>
          <i className="pb-wrong-key" />
          wrong at the end
        </span>
      </div>
    </figure>
  );
}
