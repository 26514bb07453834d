import type { ModelCard } from '../../models/catalog';
import { fmtSeconds } from '../../models/readme-table';

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

/** A shipped model's card: what it is, how it was trained, and its held-out accuracy after every supervision step. */
export function ModelCardView({ card }: { card: ModelCard }) {
  const e = card.eval;
  return (
    <div className="mc-card" data-testid="model-card">
      <p className="mc-config">{card.config}</p>
      <p>
        {(card.params / 1000).toFixed(1)}k parameters · trained {card.training.steps} steps in {fmtSeconds(card.training.seconds)} on {card.training.machine}
      </p>
      <p className="app-muted">
        Held out: {card.heldOut}. Mean halting step {e.meanHaltStep.toFixed(2)} of {e.exactByStep.length}.
        {e.passAtK && ` pass@1 ${pct(e.passAtK['1'] ?? 0)}, pass@2 ${pct(e.passAtK['2'] ?? 0)}.`}
      </p>
      <table className="mc-steps" data-testid="model-card-steps">
        <thead>
          <tr>
            <th>after step</th>
            {e.exactByStep.map((_, s) => (
              <th key={s}>{s + 1}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            <th>exact</th>
            {e.exactByStep.map((v, s) => (
              <td key={s}>{pct(v)}</td>
            ))}
          </tr>
          <tr>
            <th>token</th>
            {e.tokenByStep.map((v, s) => (
              <td key={s}>{pct(v)}</td>
            ))}
          </tr>
          <tr>
            <th>halts here</th>
            {e.haltCounts.map((v, s) => (
              <td key={s}>{v}</td>
            ))}
          </tr>
        </tbody>
      </table>
      <p className="app-muted">
        Train: <code>{card.training.command}</code> · evaluate: <code>{card.evalCommand}</code> · log: {card.log}
      </p>
    </div>
  );
}
