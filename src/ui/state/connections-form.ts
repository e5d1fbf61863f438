/*
 * NAME
 *   connections-form - a dialogue's connections read as a form, and written back
 * DESCRIPTION
 *   A dialogue may hold several connections, each starting with a line
 *   `# connection client=ADDR[,NAME] server=ADDR at=SECONDS`, then its own
 *   `#` directives (`# client: ADDR`, `# pregreet: TEXT`, `# pipelined`,
 *   `# bare-newline`) and its lines (connections/dialogue.ts in the engine
 *   reads the same format). The text stays the truth: the form reads each
 *   connection's settings from it and writes a change into the one line it
 *   belongs to, leaving every other line as it was. The SMTP form
 *   (dialogue-form.ts) edits one connection's block through withConnection().
 */

/** One connection's settings, as written. */
export interface ConnectionFields {
  /** `ADDR[,NAME]`; empty: the page's client, else 127.0.0.1. */
  client: string;
  /** The local address it connects to; empty: 127.0.0.1. */
  server: string;
  /** Seconds since the first connection; empty: right after the previous one ended. */
  at: string;
  /** What the client sends before the greeting, with C escapes (\r \n \t \\). */
  pregreet: string;
  pipelined: boolean;
  bareNewline: boolean;
}

export interface ConnectionBlock extends ConnectionFields {
  /** 1-based line of its `# connection` line (absent: a dialogue without them). */
  line?: number;
}

interface Split {
  /** Lines before the first `# connection` line (comments). */
  prefix: string[];
  blocks: string[][];
  trailing: boolean;
}

const HEADER = /^#\s*connection(\s|$)/i;
const HEADER_WORD = /^(client|server|at)=(.*)$/i;

function split(text: string): Split {
  const trailing = text.endsWith('\n');
  const body = trailing ? text.slice(0, -1) : text;
  const lines = body === '' ? [] : body.split('\n');
  const starts = lines.flatMap((l, i) => (HEADER.test(l) ? [i] : []));
  if (starts.length === 0) return { prefix: [], blocks: [lines], trailing };
  return {
    prefix: lines.slice(0, starts[0]),
    blocks: starts.map((s, k) => lines.slice(s, starts[k + 1] ?? lines.length)),
    trailing,
  };
}

const join = (s: Split): string => {
  const lines = [...s.prefix, ...s.blocks.flat()];
  return lines.join('\n') + (s.trailing || lines.length > 0 ? '\n' : '');
};

/** The directive lines at the head of a block (after its header). */
function directives(block: string[]): { from: number; to: number } {
  const from = HEADER.test(block[0] ?? '') ? 1 : 0;
  let to = from;
  while (to < block.length && block[to]!.startsWith('#')) to++;
  return { from, to };
}

function headerWords(line: string): string[] {
  return line
    .replace(/^#\s*connection/i, '')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
}

function readBlock(block: string[], line: number | undefined): ConnectionBlock {
  const f: ConnectionBlock = { client: '', server: '', at: '', pregreet: '', pipelined: false, bareNewline: false, ...(line !== undefined && { line }) };
  if (line !== undefined)
    for (const w of headerWords(block[0]!)) {
      const m = HEADER_WORD.exec(w);
      if (m) f[m[1]!.toLowerCase() as 'client' | 'server' | 'at'] = m[2]!;
    }
  const { from, to } = directives(block);
  for (const l of block.slice(from, to)) {
    let m: RegExpExecArray | null;
    if ((m = /^#\s*client:\s*(\S+)\s*$/i.exec(l))) f.client = m[1]!;
    else if (/^#\s*pipelined\s*$/i.test(l)) f.pipelined = true;
    else if (/^#\s*bare-newline\s*$/i.test(l)) f.bareNewline = true;
    else if ((m = /^#\s*pregreet:\s?(.*)$/i.exec(l))) f.pregreet += m[1]!;
  }
  return f;
}

/** readConnections - every connection of the dialogue; `multi` when it has `# connection` lines. */
export function readConnections(text: string): { multi: boolean; connections: ConnectionBlock[] } {
  const s = split(text);
  const multi = s.blocks.length > 0 && HEADER.test(s.blocks[0]![0] ?? '');
  let line = s.prefix.length + 1;
  const connections = s.blocks.map((b) => {
    const c = readBlock(b, multi ? line : undefined);
    line += b.length;
    return c;
  });
  return { multi, connections };
}

/** The dialogue with `# connection` lines: a single connection gets one at its top. */
function multi(s: Split): Split {
  if (s.blocks.length === 1 && !HEADER.test(s.blocks[0]![0] ?? '')) return { ...s, blocks: [['# connection', ...s.blocks[0]!]] };
  return s;
}

/** withConnection - the dialogue with connection `i`'s block (its header and lines) replaced by `f(block)`. */
export function withConnection(text: string, i: number, f: (block: string) => string): string {
  const s = split(text);
  const block = s.blocks[i];
  if (!block) return text;
  const out = f(block.join('\n') + '\n');
  s.blocks[i] = out.endsWith('\n') ? out.slice(0, -1).split('\n') : out.split('\n');
  if (out === '') s.blocks[i] = [];
  return join(s);
}

/** connectionText - the block of connection `i` (what the SMTP form reads). */
export function connectionText(text: string, i: number): string {
  const block = split(text).blocks[i];
  return block ? block.join('\n') + (block.length > 0 ? '\n' : '') : '';
}

/** addConnection - a new connection after the others: `at` seconds (empty: right after), the same client, lines copied from `from`. */
export function addConnection(text: string, from: number, at = ''): string {
  const s = multi(split(text));
  const source = s.blocks[from] ?? s.blocks[s.blocks.length - 1] ?? [];
  const fields = readBlock(source, HEADER.test(source[0] ?? '') ? 1 : undefined);
  const words = [fields.client && `client=${fields.client}`, fields.server && `server=${fields.server}`, at && `at=${at}`].filter(Boolean);
  const { to } = directives(source);
  const lines = source.slice(to);
  s.blocks.push([`# connection${words.length ? ' ' + words.join(' ') : ''}`, ...(lines.length > 0 ? lines : ['EHLO client.example', 'QUIT'])]);
  s.trailing = true;
  return join(s);
}

/** removeConnection - the dialogue without connection `i` (the last one left stays). */
export function removeConnection(text: string, i: number): string {
  const s = split(text);
  if (s.blocks.length <= 1 || !s.blocks[i]) return text;
  s.blocks.splice(i, 1);
  return join(s);
}

/** setConnectionField - one setting of connection `i`, written into its header or its directives. */
export function setConnectionField<K extends keyof ConnectionFields>(text: string, i: number, key: K, value: ConnectionFields[K]): string {
  const s = multi(split(text));
  const block = s.blocks[i];
  if (!block) return text;
  if (key === 'client' || key === 'server' || key === 'at') {
    const v = String(value).trim().replace(/\s+/g, '');
    const words = headerWords(block[0]!).filter((w) => HEADER_WORD.exec(w)?.[1]!.toLowerCase() !== key);
    const order = ['client', 'server', 'at'];
    if (v !== '') words.push(`${key}=${v}`);
    words.sort((a, b) => order.indexOf(a.split('=')[0]!.toLowerCase()) - order.indexOf(b.split('=')[0]!.toLowerCase()));
    block[0] = `# connection${words.length ? ' ' + words.join(' ') : ''}`;
    // The header decides the client: a `# client:` directive would override it.
    if (key === 'client') {
      const { from, to } = directives(block);
      for (let k = to - 1; k >= from; k--) if (/^#\s*client:/i.test(block[k]!)) block.splice(k, 1);
    }
    return join(s);
  }
  const { from, to } = directives(block);
  const pattern = key === 'pregreet' ? /^#\s*pregreet:/i : key === 'pipelined' ? /^#\s*pipelined\s*$/i : /^#\s*bare-newline\s*$/i;
  const at = block.findIndex((l, k) => k >= from && k < to && pattern.test(l));
  for (let k = to - 1; k >= from; k--) if (k !== at && pattern.test(block[k]!)) block.splice(k, 1);
  const line =
    key === 'pregreet'
      ? value === ''
        ? undefined
        : `# pregreet: ${String(value)}`
      : value
        ? key === 'pipelined'
          ? '# pipelined'
          : '# bare-newline'
        : undefined;
  if (at >= 0) {
    if (line === undefined) block.splice(at, 1);
    else block[at] = line;
  } else if (line !== undefined) block.splice(directives(block).to, 0, line);
  return join(s);
}
