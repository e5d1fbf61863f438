/*
 * Vite config for the static page (`npm run build`, `npm run preview`).
 * The engine runs in a module Web Worker (worker.format 'es', so the worker
 * can load sql.js lazily with a dynamic import). Never exclude sql.js from
 * optimizeDeps (stack-notes §2); wasm is always emitted as a file.
 */
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  plugins: [svelte()],
  // Relative asset URLs: dist/ works from any directory of a plain file server.
  base: './',
  build: {
    target: 'es2022',
    assetsInlineLimit: 0,
  },
  worker: {
    format: 'es',
  },
});
