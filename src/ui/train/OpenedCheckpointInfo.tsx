import { useState } from 'react';
import { browserRangeCache } from '../../io/range-cache';
import type { OpenedSummary } from '../../state/train-store';
import { fmtCount } from './format';

export function fmtBytes(n: number | null): string {
  if (n === null) return 'unknown until the engine starts';
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n, u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[u]}`;
}

/** ", 24.0 MiB from the browser cache", with a button that empties the cache (reopening then downloads again). */
function CachedNote({ bytes }: { bytes: number }) {
  const [forgotten, setForgotten] = useState(false);
  return (
    <>
      , {fmtBytes(bytes)} from the browser cache ·{' '}
      {forgotten ? 'since forgotten' : (
        <button type="button" className="td-x" style={{ padding: 0, textDecoration: 'underline' }} data-testid="checkpoint-cache-clear" title="Forget the checkpoint ranges this browser keeps from URLs opened before (opening one again downloads them again)" onClick={() => void browserRangeCache().clear().then(() => setForgotten(true))}>
          forget
        </button>
      )}
    </>
  );
}

/** An opened checkpoint's facts, what the import inferred, and its config (read-only: the form edits a copy). */
export function OpenedCheckpointInfo({ opened }: { opened: OpenedSummary }) {
  return (
    <div data-testid="checkpoint-opened" aria-label="Opened checkpoint">
      <div data-testid="checkpoint-opened-facts">
        {opened.name} · {opened.kind === 'reference' ? 'reference (PyTorch) checkpoint' : 'TRM Lab checkpoint'} · step {opened.step} · {fmtBytes(opened.bytes)} ({fmtBytes(opened.bytesRead)} read{opened.bytesCached > 0 && <CachedNote bytes={opened.bytesCached} />}) · {fmtCount(opened.paramCount)} parameters ·{' '}
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
