import { defineConfig } from 'vite';

// The benchmark runner for Node: engine, WGSL (inlined by import.meta.glob) and TensorFlow.js in one file, so
// dist-bench/run.js plus Node and the `webgpu` package is all a GPU machine without a registry needs.
export default defineConfig({
  publicDir: false,
  build: {
    ssr: true,
    outDir: 'dist-bench',
    emptyOutDir: true,
    target: 'node20',
    rollupOptions: {
      input: { run: 'bench/run.ts' },
      external: ['webgpu', 'playwright-core', 'vite'],
      output: { entryFileNames: '[name].js', format: 'es', codeSplitting: false },
    },
  },
  ssr: { noExternal: true, external: ['webgpu', 'playwright-core', 'vite'] },
  logLevel: 'warn',
});
