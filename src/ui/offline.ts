/*
 * NAME
 *   offline - the service worker that keeps the app working without a network
 * DESCRIPTION
 *   The build writes sw.js beside index.html (vite.config.ts) with the list
 *   of every file of the build, the sql.js wasm included. Registered with a
 *   relative URL, its scope is the folder the page is served from, so the
 *   built folder works offline from any subdirectory of any static server.
 *   Registered once the first answer is on screen and the browser is idle,
 *   so caching never competes with it. Not where browsers refuse service workers (file://, a
 *   sandboxed frame, some private modes): the page works there, online.
 */
export function registerServiceWorker(after: Promise<unknown>): void {
  try {
    if (location.protocol === 'file:' || self.origin === 'null' || !('serviceWorker' in navigator)) return;
    const register = (): void => void navigator.serviceWorker.register('./sw.js').catch(() => undefined);
    // Once the first answer is on screen, when the browser is idle: caching never competes with it.
    void after.then(() => (typeof requestIdleCallback === 'function' ? requestIdleCallback(register, { timeout: 3000 }) : setTimeout(register, 500)));
  } catch {
    // No service workers here: the page works online.
  }
}
