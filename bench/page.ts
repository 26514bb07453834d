import { requestGpu } from '../src/gpu/device';
import { createContext } from './context';
import { runSuite } from './suite';
import type { BenchResult } from './types';

declare global {
  interface Window {
    __bench?: BenchResult | { error: string };
  }
}

// Options come in the query string from bench/run.ts: ?quick=1&peak=66900&only=train
const q = new URLSearchParams(location.search);
const out = document.getElementById('log')!;
const log = (line: string) => {
  console.log(line);
  out.textContent += `${line}\n`;
};

(async () => {
  const handle = await requestGpu(navigator.gpu, navigator.userAgent);
  const ctx = await createContext(handle, { quick: q.get('quick') === '1', peakGflops: q.has('peak') ? Number(q.get('peak')) : undefined, only: q.get('only') ?? undefined, softwareKernels: q.get('softwareKernels') === '1', checkSteps: q.has('checkSteps') ? Number(q.get('checkSteps')) : undefined, log });
  const browser = navigator.userAgent.match(/(Chrome|Chromium)\/[\d.]+/)?.[0] ?? navigator.userAgent;
  window.__bench = await runSuite(ctx, browser);
})().catch((err: unknown) => {
  const error = err instanceof Error ? `${err.message}\n${err.stack}` : String(err);
  log(error);
  window.__bench = { error };
});
