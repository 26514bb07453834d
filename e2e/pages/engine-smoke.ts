// Runs the same engine code in the page and in a Web Worker; results go to window.__smoke for the test.
import { runSmoke, type SmokeResult } from './engine-smoke-core';

declare global {
  interface Window { __smoke?: { page: SmokeResult | string; worker: SmokeResult | string } }
}

async function main(): Promise<void> {
  const page = await runSmoke().catch((e: unknown) => String(e));
  const worker = await new Promise<SmokeResult | string>((resolve) => {
    const w = new Worker(new URL('./engine-smoke-worker.ts', import.meta.url), { type: 'module' });
    w.onmessage = (ev: MessageEvent<SmokeResult | string>) => resolve(ev.data);
    w.onerror = (ev) => resolve(`worker error: ${ev.message}`);
  });
  window.__smoke = { page, worker };
  document.body.textContent = JSON.stringify(window.__smoke, null, 2);
}

void main();
