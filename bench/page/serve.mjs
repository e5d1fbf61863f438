/*
 * NAME
 *   serve - dist/ from a plain local static server, for the page benchmark and screenshots
 * DESCRIPTION
 *   What a user's static host does: files as they are, with a content
 *   type and Access-Control-Allow-Origin: * (as GitHub Pages sends it; a
 *   sandboxed iframe needs it), no compression, no caching tricks. Counts the bytes it sends
 *   per path so the benchmark can say what was loaded before a moment.
 */
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

/** @type {Record<string, string>} */
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

/** serve - start a server on a free loopback port; `sent` lists [time, path, bytes, file, epoch ms] per response. */
export async function serve(root = new URL('../../dist/', import.meta.url).pathname) {
  /** @type {[number, string, number, string, number][]} */
  const sent = [];
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(root, path.endsWith('/') ? `${path}index.html` : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': body.length,
        'access-control-allow-origin': '*',
      });
      res.end(body);
      sent.push([performance.now(), path, body.length, file, Date.now()]);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  // Listening on a TCP port: address() is an AddressInfo.
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return { url: `http://127.0.0.1:${port}/`, sent, close: () => new Promise((resolve) => server.close(resolve)) };
}
