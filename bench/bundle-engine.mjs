/*
 * bench/bundle-engine - the engine (src/engine/index.ts) bundled for Node
 * into bench/out/NAME/, so a benchmark can run without `npm run build:lib`.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * bundleEngine - build and import the engine; `name` picks the output directory.
 * @param {string} name
 * @returns {Promise<typeof import('../src/engine/index.ts')>}
 */
export async function bundleEngine(name) {
  const out = join(ROOT, 'bench', 'out', name);
  mkdirSync(out, { recursive: true });
  const { build } = await import('vite');
  await build({
    root: ROOT,
    logLevel: 'error',
    configFile: false,
    build: {
      ssr: true,
      outDir: out,
      target: 'node20',
      emptyOutDir: true,
      rollupOptions: { input: { engine: join(ROOT, 'src/engine/index.ts') }, output: { format: 'es', entryFileNames: '[name].js' } },
    },
  });
  return import(pathToFileURL(join(out, 'engine.js')).href);
}
