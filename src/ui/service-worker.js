/*
 * NAME
 *   service-worker - the app's files kept in the browser, so it works with no network
 * DESCRIPTION
 *   The build (vite.config.ts, serviceWorker()) writes this file as sw.js
 *   beside index.html, with FILES: every file of the build (the sql.js wasm,
 *   the scenario library, the docs page and the element script included),
 *   relative to sw.js, and VERSION, a digest of their contents.
 *
 *   Installing caches them all; a new build (a new VERSION) installs beside
 *   and replaces the old cache when it activates. Everything is relative to
 *   the worker's scope, so a copy of the built folder works offline from any
 *   subdirectory of any static server, and several copies on one server keep
 *   separate caches. Page loads (navigations) ask the network first, so an
 *   update is seen as soon as the server has it, and fall back to the cached
 *   page (any query, such as ?embed, gets the same page); every other file
 *   comes from the cache first (their names carry a hash of their contents).
 */
const VERSION = '__VERSION__';
const FILES = '__FILES__';
const SCOPE = self.registration.scope;
const PREFIX = 'postfix-sim ';
const CACHE = `${PREFIX}${VERSION} ${SCOPE}`;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(FILES.map((f) => new Request(new URL(f, SCOPE), { cache: 'reload' })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith(PREFIX) && name.endsWith(` ${SCOPE}`) && name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

/** The cached page for a navigation: the path without query, a folder as its index.html. */
async function cachedPage(request) {
  const cache = await caches.open(CACHE);
  const url = new URL(request.url);
  url.search = '';
  url.hash = '';
  if (url.pathname.endsWith('/')) url.pathname += 'index.html';
  return (await cache.match(url.href)) ?? (await cache.match(new URL('index.html', SCOPE).href)) ?? Response.error();
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || !request.url.startsWith(SCOPE)) return;
  if (request.mode === 'navigate') {
    event.respondWith(fetch(request).catch(() => cachedPage(request)));
    return;
  }
  event.respondWith(
    (async () => {
      const hit = await (await caches.open(CACHE)).match(request);
      return hit ?? fetch(request);
    })(),
  );
});
