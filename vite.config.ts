/*
 * Vite config for the static page (`npm run build`, `npm run preview`).
 * The engine runs in a Web Worker built as one classic script (worker.format
 * 'iife', sql.js's glue inside; its wasm is fetched when first used): a
 * sandboxed iframe can start only classic workers (src/ui/worker/spawn.ts). Never exclude sql.js from
 * optimizeDeps (stack-notes §2); wasm is always emitted as a file. One copy
 * of CodeMirror's core (resolve.dedupe, stack-notes §7).
 *
 * The built page carries a Content-Security-Policy: it loads only its own
 * files, may run WebAssembly (sql.js) and its own worker (also started from
 * a blob: URL that imports it, which a sandboxed iframe needs:
 * src/ui/worker/spawn.ts), and may connect nowhere else. (Not in the dev
 * server, whose module reloading needs more.)
 *
 * Three entries: the app (index.html), the embedding documentation
 * (docs/embed.html), and the <postfix-sim> element's one script, written as
 * postfix-sim.js beside index.html (a stable name other pages can include;
 * it imports nothing, so it also runs as a classic script). After the
 * build, sw.js lists every file written, for offline use (src/ui/service-worker.js).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { defineConfig } from 'vite';
import type { Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
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

/** Every file under `dir`, relative to it. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path).map((f) => `${name}/${f}`) : [name];
  });

/** sw.js: the service worker with the list of the build's files and a digest of their contents. */
const serviceWorker = (): Plugin => {
  let outDir = 'dist';
  return {
    name: 'postfix-sim-service-worker',
    apply: 'build',
    configResolved: (config) => void (outDir = config.build.outDir),
    closeBundle() {
      const dir = join(process.cwd(), outDir);
      const files = filesUnder(dir)
        .filter((f) => f !== 'sw.js' && !f.endsWith('.map'))
        .sort();
      const digest = createHash('sha256');
      for (const f of files) digest.update(f).update(readFileSync(join(dir, f)));
      const template = readFileSync(new URL('./src/ui/service-worker.js', import.meta.url), 'utf8');
      const source = template.replace("'__VERSION__'", JSON.stringify(digest.digest('hex').slice(0, 16))).replace("'__FILES__'", JSON.stringify(files));
      writeFileSync(join(dir, 'sw.js'), source);
      this.info?.(`sw.js: ${files.length} files for offline use (${relative(process.cwd(), dir)})`);
    },
  };
};

/** In the dev server, /postfix-sim.js is the element's source (the build writes it there). */
const elementInDev = (): Plugin => ({
  name: 'postfix-sim-element-dev',
  apply: 'serve',
  configureServer(server) {
    server.middlewares.use((req, _res, next) => {
      if (req.url === '/postfix-sim.js') req.url = '/src/ui/element/postfix-sim.ts';
      next();
    });
  },
});

export default defineConfig({
  plugins: [svelte(), csp(), serviceWorker(), elementInDev()],
  // Relative asset URLs: dist/ works from any directory of a plain file server.
  base: './',
  resolve: {
    dedupe: ['@codemirror/state', '@codemirror/view', '@codemirror/language'],
  },
  build: {
    target: 'es2022',
    assetsInlineLimit: 0,
    // Every browser that runs the page has modulepreload; no polyfill chunk in front of the first render.
    modulePreload: { polyfill: false },
    rolldownOptions: {
      input: {
        index: 'index.html',
        embed: 'docs/embed.html',
        element: 'src/ui/element/postfix-sim.ts',
      },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'element' ? 'postfix-sim.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  worker: {
    format: 'iife',
  },
});
