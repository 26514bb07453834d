import type { ViteDevServer } from 'vite';

/**
 * Vite serving the repository on a free local port, for tests and the benchmark to open pages in Chromium.
 * No file watching or HMR: an edit elsewhere in the tree must not reload a page in the middle of a run.
 * Vite is imported on call, so the bundled benchmark runner (which has no Vite on a GPU machine) can load this.
 */
export async function startVite(): Promise<{ server: ViteDevServer; url: string }> {
  const { createServer } = await import('vite');
  // Cross-origin isolated, so performance.now() has 5 µs resolution rather than 100 µs (the bench times issuing
  // a single dispatch, which takes less than 100 µs).
  const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
  const server = await createServer({ logLevel: 'error', server: { port: 0, host: '127.0.0.1', hmr: false, watch: null, headers } });
  await server.listen();
  const addr = server.httpServer?.address();
  if (!addr || typeof addr === 'string') throw new Error('vite did not bind a port');
  return { server, url: `http://127.0.0.1:${addr.port}` };
}
