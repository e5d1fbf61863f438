/*
 * NAME
 *   encode - a share link made by the custom element, without the page's code
 * DESCRIPTION
 *   The <postfix-sim> element (postfix-sim.ts) is one small script that
 *   documentation pages include; it must not pull the page's chunks in.
 *   So it writes link format 1 (share/link.ts) itself: the JSON of the
 *   workspace, raw DEFLATE by the browser's CompressionStream, base64url.
 *   Text files only (a page's blocks are text), so the frame is the JSON
 *   alone. The page fills everything not given with its defaults.
 *   tests/unit/share-link.test.ts opens these links with the page's decoder.
 */

/** What a documentation page's blocks give. */
export interface ElementWorkspace {
  files: { path: string; text: string }[];
  sessions?: { name: string; dialogue: string; clientAddr?: string; clientName?: string; service?: string }[];
  resolve?: { sender: string; addresses: string };
  lookup?: { spec: string; key: string };
  view?: string;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function base64url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    out += ALPHABET[a >> 2]! + ALPHABET[((a & 3) << 4) | ((b ?? 0) >> 4)]!;
    if (b !== undefined) out += ALPHABET[((b & 15) << 2) | ((c ?? 0) >> 6)]!;
    if (c !== undefined) out += ALPHABET[c & 63]!;
  }
  return out;
}

async function deflateRaw(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** elementLink - the link text (`1.…`) of the blocks' workspace. */
export async function elementLink(w: ElementWorkspace): Promise<string> {
  const main = w.files.find((f) => f.path === '/etc/postfix/main.cf') ?? w.files[0];
  const workspace = {
    format: 1,
    files: w.files.map((f) => ({ path: f.path, text: f.text })),
    ...(w.sessions &&
      w.sessions.length > 0 && {
        sessions: w.sessions.map((s) => ({
          name: s.name,
          dialogue: s.dialogue,
          clientAddr: s.clientAddr ?? '',
          clientName: s.clientName ?? '',
          service: s.service ?? 'smtp',
        })),
      }),
    ...(w.resolve && { resolve: w.resolve }),
    ...(w.lookup && { lookup: { ...w.lookup, noFold: false, consumer: '' } }),
    ...(w.view && { view: w.view }),
    open: main ? [main.path] : [],
    active: main?.path ?? '',
  };
  return `1.${base64url(await deflateRaw(new TextEncoder().encode(JSON.stringify({ workspace }))))}`;
}
