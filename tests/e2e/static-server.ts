/*
 * A plain static file server for the e2e tests that need what a real static
 * host does rather than `vite preview`: dist/ under a subdirectory (the
 * build's relative base must work from any folder), with
 * `Access-Control-Allow-Origin: *` as GitHub Pages sends it (a sandboxed
 * iframe loads the page's scripts as a foreign origin), and a server that
 * can be stopped in the middle of a test (the network cut for offline use).
 * Extra routes serve a host page from another origin.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

export interface Served {
  /** The address of the folder, ending in `/`. */
  url: string;
  close: () => Promise<void>;
}

export const DIST = join(import.meta.dirname, '..', '..', 'dist');

/** serve - `root` under `prefix` on a free loopback port; `pages` maps paths to extra HTML. */
export async function serve(options: { root?: string; prefix?: string; cors?: boolean; pages?: Record<string, string> } = {}): Promise<Served> {
  const root = options.root ?? DIST;
  const prefix = options.prefix ?? '/';
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const headers: Record<string, string> = options.cors === false ? {} : { 'access-control-allow-origin': '*' };
    const page = options.pages?.[path];
    if (page !== undefined) {
      res.writeHead(200, { ...headers, 'content-type': TYPES['.html']! });
      res.end(page);
      return;
    }
    if (!path.startsWith(prefix)) {
      res.writeHead(404, headers);
      res.end();
      return;
    }
    const rel = normalize(path.slice(prefix.length)).replace(/^(\.\.[/\\])+/, '');
    const file = join(root, rel === '' || rel.endsWith('/') || rel === '.' ? join(rel, 'index.html') : rel);
    try {
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': String(body.length) });
      res.end(body);
    } catch {
      res.writeHead(404, headers);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
