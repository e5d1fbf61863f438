/*
 * NAME
 *   spawn - start the engine worker, also in a sandboxed iframe
 * DESCRIPTION
 *   The worker is one classic script (vite.config.ts builds it as iife:
 *   sql.js's glue inside, its wasm fetched when first used).
 *
 *   A page in <iframe sandbox="allow-scripts"> has an opaque origin: the
 *   browser refuses `new Worker(url)` for a script of the page's own server
 *   ("cannot be accessed from origin 'null'"), and refuses module workers
 *   from blob: URLs there. A classic worker from a blob: URL the page made
 *   is allowed, and may importScripts() the real worker by its absolute
 *   address (the server must send Access-Control-Allow-Origin, as GitHub
 *   Pages does: README, "Embedding"). A blob worker's location is the blob:
 *   URL, against which nothing resolves; the boot script gives it the real
 *   worker's address first, so sql.js finds its wasm beside it.
 */
import workerUrl from './engine.worker.ts?worker&url';

// The dev server serves workers as modules; the build, as classic scripts.
const OPTIONS: WorkerOptions = { type: import.meta.env.DEV ? 'module' : 'classic', name: 'postfix-sim engine' };

/** True in a document with an opaque origin (a sandboxed frame). */
export const opaqueOrigin = (): boolean => self.origin === 'null';

export function spawnEngineWorker(): Worker {
  if (!opaqueOrigin() || import.meta.env.DEV) {
    try {
      return new Worker(workerUrl, OPTIONS);
    } catch {
      // Fall through to the blob: start.
    }
  }
  const absolute = JSON.stringify(new URL(workerUrl, location.href).href);
  const boot = `Object.defineProperty(self, 'location', { value: { href: ${absolute} } });\nimportScripts(${absolute});\n`;
  return new Worker(URL.createObjectURL(new Blob([boot], { type: 'text/javascript' })), { name: OPTIONS.name });
}
