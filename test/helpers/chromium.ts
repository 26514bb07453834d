import { existsSync } from 'node:fs';

/** Flags for WebGPU on Debian's Chromium without a GPU (see DESIGN.md, test tiers). */
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Where a WebGPU-capable Chrome/Chromium is looked for, in order, after CHROMIUM_PATH. Debian's chromium first:
 * it ships SwiftShader, the software adapter. scripts/ensure-test-env.sh searches the same list before any test.
 */
export const CHROMIUM_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
  '/opt/google/chrome/chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/** The browser the tests launch (the first candidate when none is there: the launch error then names it). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || (CHROMIUM_CANDIDATES.find((p) => existsSync(p)) ?? CHROMIUM_CANDIDATES[0]);
