/// <reference lib="webworker" />
// The training/inference worker: WorkerCore on the browser engine (WebGPU, else the CPU twin).
import { WorkerCore } from './core';
import { openBrowserEngine } from './engines';
import type { WorkerRequest } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const core = new WorkerCore((ev, transfer) => scope.postMessage(ev, transfer ?? []), openBrowserEngine);
scope.onmessage = (e: MessageEvent<WorkerRequest>) => void core.handle(e.data);
// A request that arrived but could not be read back (deserialised) here: say so rather than drop it silently.
scope.onmessageerror = () => scope.postMessage({ type: 'error', message: 'a request from the page could not be read by the training worker (it held something that is not plain data)' });
