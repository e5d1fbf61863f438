/*
 * NAME
 *   offline - the service worker that keeps the app working without a network
 * DESCRIPTION
 *   The build writes sw.js beside index.html (vite.config.ts) with the list
 *   of every file of the build, the sql.js wasm included. Registered with a
 *   relative URL, its scope is the folder the page is served from, so the
 *   built folder works offline from any subdirectory of any static server.
 *   Registered once the page has loaded and the browser is idle, so caching
 *   never competes with the first answer. Not where browsers refuse service workers (file://, a
 *   sandboxed frame, some private modes): the page works there, online.
 */
export function registerServiceWorker(): void {
  try {
    if (location.protocol === 'file:' || self.origin === 'null' || !('serviceWorker' in navigator)) return;
    const register = (): void => void navigator.serviceWorker.register('./sw.js').catch(() => undefined);
    // After the page has loaded, when the browser is idle: caching never competes with the first answer.
    const go = (): void => void (typeof requestIdleCallback === 'function' ? requestIdleCallback(register, { timeout: 3000 }) : setTimeout(register, 1000));
    if (document.readyState === 'complete') go();
    else window.addEventListener('load', go, { once: true });
  } catch {
    // No service workers here: the page works online.
  }
}
