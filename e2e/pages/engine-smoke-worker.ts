import { runSmoke } from './engine-smoke-core';

runSmoke().then(
  (r) => postMessage(r),
  (e: unknown) => postMessage(String(e)),
);
