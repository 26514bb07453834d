import { fileURLToPath } from 'node:url';
import base from '../playwright.config';

// The open-time benchmark (npm run bench:open): the e2e setup (Chromium with WebGPU, the production build from the
// repository root) on bench/*.spec.ts.
const root = fileURLToPath(new URL('..', import.meta.url));
export default { ...base, testDir: '.', outputDir: '../test-results/bench', timeout: 60 * 60_000, webServer: { ...base.webServer, cwd: root } };
