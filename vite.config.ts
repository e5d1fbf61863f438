/*
 * Vite config for the static page (`npm run build`, `npm run preview`).
 * The engine runs in a module Web Worker (worker.format 'es', so the worker
 * can load sql.js lazily with a dynamic import). Never exclude sql.js from
 * optimizeDeps (stack-notes §2); wasm is always emitted as a file. One copy
 * of CodeMirror's core (resolve.dedupe, stack-notes §7).
 *
 * The built page carries a Content-Security-Policy: it loads only its own
 * files, may run WebAssembly (sql.js) and its own worker, and may connect
 * nowhere else. (Not in the dev server, whose module reloading needs more.)
 */
import { defineConfig } from 'vite';
import type { Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  // Svelte's style: directives and CodeMirror's generated styles are inline styles.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const csp = (): Plugin => ({
  name: 'postfix-sim-csp',
  apply: 'build',
  transformIndexHtml: (html) =>
    html.replace(
      '<meta charset="UTF-8" />',
      `<meta charset="UTF-8" />\n    <meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}" />`,
    ),
});

export default defineConfig({
  plugins: [svelte(), csp()],
  // Relative asset URLs: dist/ works from any directory of a plain file server.
  base: './',
  resolve: {
    dedupe: ['@codemirror/state', '@codemirror/view', '@codemirror/language'],
  },
  build: {
    target: 'es2022',
    assetsInlineLimit: 0,
  },
  worker: {
    format: 'es',
  },
});
