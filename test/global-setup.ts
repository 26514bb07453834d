import { rmSync } from 'node:fs';

/** Each run starts a fresh parity log; scripts/parity-report.ts checks it after the run. */
export default function setup(): void {
  rmSync('test-results/parity.jsonl', { force: true });
}
