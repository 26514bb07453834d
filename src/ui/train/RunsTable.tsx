import { useMemo } from 'react';
import type { RunSummary } from '../../state/train-model';
import { trainActions, useTrain } from '../../state/train-store';
import { fmtNum, fmtPct } from './format';
import { MiniChart, type Series } from './MiniChart';
import { useThrottledTrain } from './throttle';

const COLOURS = ['#ff851b', '#0074d9', '#2ecc40', '#f012be', '#ffdc00', '#7fdbff', '#b10dc9', '#ff4136', '#39cccc', '#aaaaaa'];

/** The few knobs that tell runs apart, in one short line. */
export function configSummary(r: RunSummary): string {
  const m = r.config.model, o = r.config.optim;
  return `${m.variant === 'attention' ? 'Att' : 'MLP'} D${m.hidden} L${m.layers} n${m.n} T${m.T} N${m.nSup} · B${o.batchSize} lr ${fmtNum(o.lr)}${o.ema ? ` ema ${o.ema}` : ''}`;
}

/** Every run with its config and final metrics; tick runs to overlay their loss curves. */
export function RunsTable() {
  const runs = useThrottledTrain((s) => s.runs, 500);
  const selected = useTrain((s) => s.selected);
  const current = useTrain((s) => s.run?.id);
  const { toggleSelected, deleteRun } = trainActions();
  const colour = (id: string) => COLOURS[Math.max(0, runs.findIndex((r) => r.id === id)) % COLOURS.length];
  const series: Series[] = useMemo(
    () => runs.filter((r) => selected.includes(r.id)).map((r) => ({ key: 'loss', name: r.name + (r.id === current ? ' (current)' : ''), color: colour(r.id), data: r.curve })),
    [runs, selected, current],
  );
  return (
    <section className="td-panel" aria-label="Runs" data-testid="train-runs">
      <h3>Runs</h3>
      <div className="td-table-wrap">
        <table className="td-table">
          <thead>
            <tr>
              <th><span className="td-sr">Overlay</span></th>
              <th>Run</th>
              <th>Config</th>
              <th>State</th>
              <th>Step</th>
              <th title="Last reported training loss">Loss</th>
              <th title="Exact accuracy of the last training samples that halted">Train</th>
              <th title="Exact accuracy at the last evaluation">Eval</th>
              <th title="ARC: pass@2 after voting, at the last evaluation">pass@2</th>
              <th title="Mean supervision steps before halting (training)">Halt</th>
              <th><span className="td-sr">Delete</span></th>
            </tr>
          </thead>
          <tbody>
            {runs.length === 0 && (
              <tr>
                <td colSpan={11} className="td-dim" style={{ textAlign: 'left' }}>No runs yet: pick a preset and press Start.</td>
              </tr>
            )}
            {runs.map((r) => (
              <tr key={r.id} className={r.id === current ? 'current' : undefined} data-testid="run-row">
                <td>
                  <input type="checkbox" aria-label={`Overlay ${r.name}`} checked={selected.includes(r.id)} onChange={() => toggleSelected(r.id)} />
                </td>
                <td title={new Date(r.createdAt).toLocaleString()}>
                  <span className="td-swatch" style={{ background: colour(r.id) }} />
                  {r.name}
                </td>
                <td className="td-dim" style={{ textAlign: 'left' }}>{configSummary(r)}</td>
                <td>{r.state}</td>
                <td>{r.step}/{r.steps}</td>
                <td>{fmtNum(r.final.loss)}</td>
                <td>{fmtPct(r.final.exactAccuracy)}</td>
                <td>{fmtPct(r.final.evalExact)}</td>
                <td>{fmtPct(r.final.passAt2)}</td>
                <td>{r.final.meanSteps === null ? '—' : r.final.meanSteps.toFixed(2)}</td>
                <td>
                  {r.id !== current && (
                    <button type="button" className="td-x" aria-label={`Delete ${r.name}`} title="Remove from the table" onClick={() => deleteRun(r.id)}>
                      ×
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {series.length > 0 && <MiniChart testId="chart-runs" title="Loss, selected runs" data={[]} series={series} height={160} />}
    </section>
  );
}
