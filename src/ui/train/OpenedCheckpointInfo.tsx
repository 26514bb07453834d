import type { OpenedSummary } from '../../state/train-store';
import { fmtCount } from './format';

function fmtBytes(n: number | null): string {
  if (n === null) return 'unknown until the engine starts';
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n, u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[u]}`;
}

/** An opened checkpoint's facts, what the import inferred, and its config (read-only: the form edits a copy). */
export function OpenedCheckpointInfo({ opened }: { opened: OpenedSummary }) {
  return (
    <div data-testid="checkpoint-opened" aria-label="Opened checkpoint">
      <div data-testid="checkpoint-opened-facts">
        {opened.name} · {opened.kind === 'reference' ? 'reference (PyTorch) checkpoint' : 'TRM Lab checkpoint'} · step {opened.step} · {fmtBytes(opened.bytes)} ({fmtBytes(opened.bytesRead)} read) · {fmtCount(opened.paramCount)} parameters ·{' '}
        {opened.info.name} ({opened.info.seqLen} tokens) · training memory {fmtBytes(opened.memoryBytes)}
      </div>
      {opened.notes.length > 0 && (
        <ul data-testid="checkpoint-opened-notes" style={{ margin: '4px 0', paddingLeft: 18, fontSize: 12 }}>
          {opened.notes.map((n, i) => (
            <li key={i}>{n}</li>
          ))}
        </ul>
      )}
      <details>
        <summary>Config (read-only)</summary>
        <pre data-testid="checkpoint-opened-config" style={{ maxHeight: 220, overflow: 'auto', fontSize: 11, margin: 0 }}>
          {JSON.stringify(opened.config, null, 2)}
        </pre>
      </details>
    </div>
  );
}
