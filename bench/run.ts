/**
 * `npm run bench [-- --quick] [-- --node] [-- --software] [-- --only TEXT] [-- --software-kernels] [-- --check-steps N] [-- --peak-gflops N] [-- --out DIR]`
 * Ours vs TensorFlow.js WebGPU side by side on one GPUDevice: in Chromium by default (a real GPU when the
 * machine has one, else SwiftShader), or in Node through Dawn with --node. Writes bench/results/<date>-<adapter>.json
 * (and .md) and prints the table; exits 1 when any row failed or the two sides disagree.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/helpers/chromium';
import { startVite } from '../test/helpers/vite-server';
import { markdown, resultName } from './report';
import type { BenchResult } from './types';

interface Args {
  quick: boolean;
  node: boolean;
  software: boolean;
  peakGflops?: number;
  /** Run only the rows whose name contains this text. */
  only?: string;
  /** Our engine takes the kernels it picks on software adapters (barrier-free matmul, one-thread RMSNorm) on any GPU. */
  softwareKernels: boolean;
  /** Training steps whose losses are compared, instead of the adapter's default (50, or 10 for the mid configs on software). */
  checkSteps?: number;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { quick: false, node: false, software: false, softwareKernels: false, out: 'bench/results' };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--quick') a.quick = true;
    else if (k === '--node') a.node = true;
    else if (k === '--software') a.software = true;
    else if (k === '--software-kernels') a.softwareKernels = true;
    else if (k === '--peak-gflops' || k === '--out' || k === '--only' || k === '--check-steps') {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${k} needs a value`);
      if (k === '--out') a.out = v;
      else if (k === '--only') a.only = v;
      else if (k === '--check-steps') {
        if (!Number.isInteger(Number(v)) || Number(v) < 1) throw new Error(`--check-steps must be a whole number ≥ 1, got "${v}"`);
        a.checkSteps = Number(v);
      }
      else if (!(Number(v) > 0)) throw new Error(`--peak-gflops must be a positive number, got "${v}"`);
      else a.peakGflops = Number(v);
    } else throw new Error(`unknown option ${k}; use --quick, --node, --software, --only TEXT, --software-kernels, --check-steps N, --peak-gflops N, --out DIR`);
  }
  return a;
}

/** A GPU the browser can use: NVIDIA's device node or a DRM render node. */
function hasGpu(): boolean {
  return existsSync('/dev/nvidia0') || (existsSync('/dev/dri') && readdirSync('/dev/dri').some((f) => f.startsWith('renderD')));
}

async function runInChromium(a: Args): Promise<BenchResult> {
  const { chromium } = await import('playwright-core');
  const software = a.software || !hasGpu();
  const args = software ? CHROMIUM_ARGS : [...CHROMIUM_ARGS.filter((f) => !f.startsWith('--use-webgpu-adapter')), '--enable-features=Vulkan', '--ignore-gpu-blocklist'];
  const { server, url } = await startVite();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => console.log(m.text()));
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    const q = new URLSearchParams({ ...(a.quick ? { quick: '1' } : {}), ...(a.peakGflops ? { peak: String(a.peakGflops) } : {}), ...(a.only ? { only: a.only } : {}), ...(a.softwareKernels ? { softwareKernels: '1' } : {}), ...(a.checkSteps ? { checkSteps: String(a.checkSteps) } : {}) });
    await page.goto(`${url}/bench/index.html?${q}`);
    await page.waitForFunction(() => window.__bench !== undefined, undefined, { timeout: 0, polling: 1000 });
    const res = await page.evaluate(() => window.__bench!);
    if ('error' in res) throw new Error(`benchmark page failed: ${res.error}`);
    res.runtime = `${res.runtime} (Chromium ${browser.version()}, ${software ? 'SwiftShader' : 'GPU'} flags)`;
    return res;
  } finally {
    await browser.close();
    await server.close();
  }
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  if (a.node && a.software) process.env.TRM_GPU = 'software';
  const res = a.node ? await (await import('./node')).runInNode(a) : await runInChromium(a);
  mkdirSync(a.out, { recursive: true });
  const file = join(a.out, resultName(res));
  const md = markdown(res);
  writeFileSync(file, JSON.stringify(res, null, 2));
  writeFileSync(file.replace(/\.json$/, '.md'), `${md}\n`);
  console.log(`\n${md}\n\nwrote ${file}`);
  const bad = res.notes.length > 0 || res.rows.some((r) => r.check && !r.check.pass);
  process.exit(bad ? 1 : 0);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(2);
});
