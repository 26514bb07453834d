import { defineConfig } from 'vite';

// The headless CLI: the same engine and trainer bundled for Node (WGSL sources inlined by import.meta.glob).
export default defineConfig({
  build: {
    ssr: true,
    outDir: 'dist-cli',
    emptyOutDir: true,
    target: 'node20',
    rollupOptions: {
      input: { train: 'src/cli/train.ts', eval: 'src/cli/eval.ts', 'export-data': 'src/cli/export-data.ts', 'export-checkpoint': 'src/cli/export-checkpoint.ts', 'model-card': 'src/cli/model-card.ts', probe: 'src/cli/probe.ts' },
      output: { entryFileNames: '[name].js', format: 'es' },
    },
  },
  logLevel: 'warn',
});
