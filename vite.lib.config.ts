// Builds the Node side: the typed library entry and the CLI, into dist-lib/.
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    ssr: true,
    outDir: 'dist-lib',
    target: 'node20',
    emptyOutDir: true,
    rollupOptions: {
      input: { index: 'src/engine/index.ts', cli: 'src/cli/main.ts' },
      output: { format: 'es', entryFileNames: '[name].js' },
    },
  },
});
