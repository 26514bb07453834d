import type { SupStepSummary } from '../../trm/trace';

export interface HaltStripProps {
  steps: SupStepSummary[];
  /** Supervision step (1-based) the viewer is on; later steps are dimmed. */
  current: number;
  /** Jump to (the end of) step s. */
  onPick?: (s: number) => void;
}

const H = 48;

function barColour(correct: boolean | null): string {
  return correct === null ? '#7FDBFF' : correct ? '#2ECC40' : '#FF4136';
}

/** σ(q_halt) per supervision step as bars (green right / red wrong / teal no target), with the 0.5 halting line. */
export function HaltStrip({ steps, current, onPick }: HaltStripProps) {
  const bw = Math.max(8, Math.min(28, Math.floor(320 / Math.max(1, steps.length))));
  const width = steps.length * bw;
  const firstHalt = steps.find((s) => s.haltProb > 0.5)?.supStep;
  return (
    <figure className="rv-halt" aria-label="q_halt probability and correctness per supervision step">
      <svg width={width} height={H + 14} role="img" data-testid="halt-strip">
        {steps.map((s, k) => {
          const h = Math.max(1, s.haltProb * H);
          const mark = s.correct === null ? '' : s.correct ? '✓' : '✗';
          return (
            <g key={s.supStep} opacity={s.supStep > current ? 0.35 : 1} onClick={() => onPick?.(s.supStep)} style={{ cursor: onPick ? 'pointer' : undefined }}>
              <title>{`step ${s.supStep}: σ(q_halt) = ${s.haltProb.toFixed(3)}${s.correct === null ? '' : `, ${s.correct ? 'correct' : 'wrong'}`}${s.correctCells === null ? '' : ` (${s.correctCells} cells right)`}`}</title>
              <rect x={k * bw + 1} y={0} width={bw - 2} height={H} fill="#242424" />
              <rect x={k * bw + 1} y={H - h} width={bw - 2} height={h} fill={barColour(s.correct)} stroke={s.supStep === current ? '#ffffff' : 'none'} strokeWidth={1.5} />
              <text x={k * bw + bw / 2} y={H + 11} fontSize={9} textAnchor="middle" fill="#bbb">
                {bw >= 14 ? `${s.supStep}${mark}` : mark}
              </text>
            </g>
          );
        })}
        <line x1={0} x2={width} y1={H / 2} y2={H / 2} stroke="#ddd" strokeDasharray="3 3" strokeWidth={0.75} />
      </svg>
      <figcaption>
        σ(q_halt) per step (dashed: 0.5) ·{' '}
        {firstHalt ? `would halt at step ${firstHalt}` : 'never above 0.5'}
      </figcaption>
    </figure>
  );
}
