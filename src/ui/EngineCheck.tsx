import { useEffect, useState } from 'react';
import { CpuEngine } from '../engine/cpu';
import { requestBrowserGpu } from '../gpu/browser';
import { GpuEngine } from '../gpu/engine';
import { addForward, scaleForward } from '../ops/elementwise';

type Status = { state: 'probing' } | { state: 'ready'; adapter: string; check: string } | { state: 'missing'; message: string };

/** Until the playground lands: which adapter TRM Lab would train on, and a GPU-vs-CPU kernel check. */
export function EngineCheck() {
  const [status, setStatus] = useState<Status>({ state: 'probing' });
  useEffect(() => {
    (async () => {
      try {
        const e = new GpuEngine(await requestBrowserGpu());
        const c = new CpuEngine();
        const data = Array.from({ length: 1000 }, (_, i) => Math.sin(i));
        const g = await e.read(scaleForward(e, addForward(e, e.fromArray(data, [1000]), e.fromArray(data, [1000])), 0.5));
        const r = await c.read(scaleForward(c, addForward(c, c.fromArray(data, [1000]), c.fromArray(data, [1000])), 0.5));
        const err = Math.max(...Array.from(g, (v, i) => Math.abs(v - r[i])));
        setStatus({ state: 'ready', adapter: e.adapterDescription, check: `GPU vs CPU max error ${err.toExponential(2)}` });
      } catch (err) {
        setStatus({ state: 'missing', message: err instanceof Error ? err.message : String(err) });
      }
    })();
  }, []);
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 720, margin: '3rem auto', lineHeight: 1.5 }}>
      <h1>TRM Lab</h1>
      <p>Tiny Recursive Models, trained and inspected on your GPU through WebGPU.</p>
      {status.state === 'probing' && <p>Looking for a WebGPU adapter…</p>}
      {status.state === 'ready' && (
        <p data-testid="engine-status">
          WebGPU adapter: <b>{status.adapter}</b>
          <br />
          Kernel self-check: {status.check}
        </p>
      )}
      {status.state === 'missing' && (
        <pre data-testid="engine-error" style={{ whiteSpace: 'pre-wrap', color: '#b00' }}>
          {status.message}
        </pre>
      )}
    </main>
  );
}
