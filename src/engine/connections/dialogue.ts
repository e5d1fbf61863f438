/*
 * NAME
 *   connections/dialogue - a dialogue of one or more connections, as a file
 * DESCRIPTION
 *   A line starting with `# connection` starts a connection, with optional
 *   `client=ADDR[,NAME]` (default 127.0.0.1), `server=ADDR` (the local
 *   address connected to, default 127.0.0.1) and `at=SECONDS` (time since
 *   the dialogue's first connection; default: right after the previous
 *   connection ended). A file without such lines is one connection.
 *   Leading `#` lines of a connection may say `# client: ADDR[,NAME]`,
 *   `# pregreet: TEXT` (sent before the greeting; C escapes \r \n \t \\),
 *   `# pipelined` (every line at once after the greeting) and
 *   `# bare-newline` (lines end in LF alone); other leading `#` lines are
 *   comments. Everything after them, up to the next `# connection` line, is
 *   sent verbatim. Only comments may come before the first `# connection`.
 *
 *   The golden recorder reads the same files with its own parser
 *   (scripts/golden/postscreen-format.mjs); a unit test holds them equal.
 *   Bad input gives diagnostics with the line, never an exception.
 * SEE ALSO
 *   tests/golden/postscreen/README.md
 */
import type { Diagnostic } from '../trace/types.ts';

export interface ConnectionSpec {
  client: string;
  /** The client's verified host name, when given (`client=ADDR,NAME`); otherwise looked up in the DNS facts. */
  name?: string;
  server: string;
  at?: number;
  pregreet?: string;
  pipelined: boolean;
  bareNewline: boolean;
  comments: string[];
  lines: string[];
  /** 1-based line of the `# connection` line (1 without one). */
  line: number;
}

export interface ConnectionDialogue {
  connections: ConnectionSpec[];
  /** The file has `# connection` lines (output shows `# connection N` blocks). */
  multi: boolean;
  diagnostics: Diagnostic[];
}

export const DEFAULT_CLIENT = '127.0.0.1';
export const DEFAULT_SERVER = '127.0.0.1';

/** unescapePregreet - C escapes \r \n \t \\; anything else after a backslash is an error. */
export function unescapePregreet(text: string): { text: string } | { error: string } {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = text[++i];
    if (next === 'r') out += '\r';
    else if (next === 'n') out += '\n';
    else if (next === 't') out += '\t';
    else if (next === '\\') out += '\\';
    else return { error: `bad escape "\\${next ?? ''}" (use \\r, \\n, \\t or \\\\)` };
  }
  return { text: out };
}

/**
 * parseConnections - the connections of a dialogue, in order. `defaults.client`
 * (`ADDR[,NAME]`, e.g. the CLI's --client) replaces 127.0.0.1 for connections that name no client.
 */
export function parseConnections(text: string, file = 'dialogue', defaults: { client?: string } = {}): ConnectionDialogue {
  const diagnostics: Diagnostic[] = [];
  const warn = (line: number, message: string): void =>
    void diagnostics.push({ severity: 'warning', message: `${file}, line ${line}: ${message}`, file, line });
  const all = text.replace(/\r\n/g, '\n').split('\n');
  if (all[all.length - 1] === '') all.pop();
  const starts: number[] = [];
  all.forEach((l, i) => {
    if (/^#\s*connection(\s|$)/i.test(l)) starts.push(i);
  });
  const blocks: { header: number | null; from: number; to: number }[] = [];
  if (starts.length === 0) blocks.push({ header: null, from: 0, to: all.length });
  else {
    for (let i = 0; i < starts[0]!; i++)
      if (!all[i]!.startsWith('#') && all[i]!.trim() !== '') warn(i + 1, 'text before the first "# connection" line is ignored');
    starts.forEach((s, k) => blocks.push({ header: s, from: s + 1, to: k + 1 < starts.length ? starts[k + 1]! : all.length }));
  }
  let lastAt = -Infinity;
  const connections = blocks.map((b): ConnectionSpec => {
    const c: ConnectionSpec = {
      client: DEFAULT_CLIENT,
      server: DEFAULT_SERVER,
      pipelined: false,
      bareNewline: false,
      comments: [],
      lines: [],
      line: (b.header ?? 0) + 1,
    };
    const setClient = (value: string): void => {
      const [addr, name] = value.split(',');
      c.client = addr!;
      if (name !== undefined) c.name = name;
      else delete c.name;
    };
    if (defaults.client) setClient(defaults.client);
    if (b.header !== null) {
      for (const w of all[b.header]!.replace(/^#\s*connection/i, '')
        .trim()
        .split(/\s+/)
        .filter(Boolean)) {
        const m = /^(client|server|at)=(.+)$/i.exec(w);
        if (!m) {
          warn(b.header + 1, `expected client=ADDR[,NAME], server=ADDR or at=SECONDS, got "${w}"`);
          continue;
        }
        const key = m[1]!.toLowerCase();
        if (key === 'client') setClient(m[2]!);
        else if (key === 'server') c.server = m[2]!;
        else if (!/^\d+(\.\d+)?$/.test(m[2]!)) warn(b.header + 1, `at= needs a number of seconds, got "${m[2]}"`);
        else if (Number(m[2]) < lastAt) warn(b.header + 1, `at=${m[2]} is earlier than a previous connection's at=: ignored`);
        else lastAt = c.at = Number(m[2]);
      }
    }
    let i = b.from;
    for (; i < b.to && all[i]!.startsWith('#'); i++) {
      const l = all[i]!;
      let m: RegExpExecArray | null;
      if ((m = /^#\s*client:\s*(\S+)\s*$/i.exec(l))) setClient(m[1]!);
      else if (/^#\s*pipelined\s*$/i.test(l)) c.pipelined = true;
      else if (/^#\s*bare-newline\s*$/i.test(l)) c.bareNewline = true;
      else if ((m = /^#\s*pregreet:\s?(.*)$/i.exec(l))) {
        const u = unescapePregreet(m[1]!);
        if ('error' in u) warn(i + 1, `pregreet: ${u.error}`);
        else c.pregreet = (c.pregreet ?? '') + u.text;
      } else c.comments.push(l.replace(/^#\s?/, ''));
    }
    c.lines = all.slice(i, b.to);
    if (c.pipelined && c.lines.length && !/^\s*quit\s*$/i.test(c.lines[c.lines.length - 1]!))
      warn(c.line, 'a pipelined connection should end with QUIT (the server waits for more)');
    return c;
  });
  return { connections, multi: starts.length > 0, diagnostics };
}
