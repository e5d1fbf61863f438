/*
 * NAME
 *   postscreen-format - files of a golden postscreen group, shared by recorder and harness
 * DESCRIPTION
 *   A group under tests/golden/postscreen/ is a Postfix configuration
 *   directory whose master.cf runs postscreen(8) on the smtp service, plus
 *   DNS facts and dialogues of one or more connections each (see the
 *   README there). The recorder (scripts/golden/record-postscreen.mjs)
 *   plays them against real Postfix; the simulator reads the same files
 *   with its own parser (src/engine/connections/dialogue.ts), and a unit
 *   test checks that both parsers agree on every golden dialogue.
 *
 *   - parseConnections: a `dialogues/NAME.smtp` file: `# connection
 *     [client=ADDR] [server=ADDR] [at=SECONDS]` lines start connections;
 *     a file without them is one connection. Inside a connection, leading
 *     `#` lines may say `# client: ADDR`, `# pregreet: TEXT` (C escapes
 *     \r \n \t \\), `# pipelined`, `# bare-newline`.
 *   - unescapePregreet: TEXT of `# pregreet:` as the bytes sent.
 *   - normalisePostscreenText: a postscreen log text without its timings.
 *   - CLIENT_PORT_BASE: the recorder's client port for the n-th connection
 *     of a group (in dialogue-file order) is CLIENT_PORT_BASE + n.
 */

/**
 * One connection of a dialogues/NAME.smtp file.
 * @typedef {object} RecordedConnectionSpec
 * @property {string} client
 * @property {string} [name]
 * @property {string} server
 * @property {number} [at]
 * @property {string} [pregreet]
 * @property {boolean} pipelined
 * @property {boolean} bareNewline
 * @property {string[]} comments
 * @property {string[]} lines
 * @property {number} line
 */

/**
 * Default addresses of a connection.
 * @type {string}
 */
export const DEFAULT_CLIENT = '127.0.0.1';
/** @type {string} */
export const DEFAULT_SERVER = '127.0.0.1';
/**
 * Group files that are not part of /etc/postfix as Postfix sees it.
 * @type {readonly string[]}
 */
export const NON_CONFIG_FILES = ['build', 'dns', 'dialogues', 'expected.json', 'README.md'];
/** @type {number} */
export const CLIENT_PORT_BASE = 20000;

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1)$/;

/**
 * unescapePregreet - `\r`, `\n`, `\t` and `\\` as C escapes; any other
 * backslash sequence is an error (returned as { error }).
 * @param {string} text
 * @returns {{ text: string; error?: undefined } | { error: string; text?: undefined }}
 */
export function unescapePregreet(text) {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
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
 * parseConnections - the connections of one dialogue file, in order:
 * [{ client, name?, server, at?, pregreet?, pipelined, bareNewline,
 *    comments, lines, line }] (`line`: 1-based line of the `# connection`
 * line, or 1). Throws Error("WHERE:LINE: message") on bad input.
 * @param {string} text
 * @param {string} [where]
 * @returns {RecordedConnectionSpec[]}
 */
export function parseConnections(text, where = 'dialogue') {
  const all = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (all[all.length - 1] === '') all.pop();
  /** @type {number[]} */
  const starts = [];
  all.forEach((l, i) => {
    if (/^#\s*connection(\s|$)/i.test(l)) starts.push(i);
  });
  /** @type {{ header: number | null; from: number; to: number }[]} */
  const blocks = [];
  if (starts.length === 0) blocks.push({ header: null, from: 0, to: all.length });
  else {
    for (let i = 0; i < starts[0]; i++)
      if (!all[i].startsWith('#') && all[i].trim() !== '') throw new Error(`${where}:${i + 1}: text before the first "# connection" line`);
    starts.forEach((s, k) => blocks.push({ header: s, from: s + 1, to: k + 1 < starts.length ? starts[k + 1] : all.length }));
  }
  let lastAt = -Infinity;
  return blocks.map((b) => {
    /** @param {number} i */
    const at = (i) => `${where}:${i + 1}`;
    /** @type {RecordedConnectionSpec} */
    const c = { client: DEFAULT_CLIENT, server: DEFAULT_SERVER, pipelined: false, bareNewline: false, comments: [], lines: [], line: (b.header ?? 0) + 1 };
    if (b.header !== null) {
      const words = all[b.header]
        .replace(/^#\s*connection/i, '')
        .trim()
        .split(/\s+/)
        .filter(Boolean);
      for (const w of words) {
        const m = /^(client|server|at)=(.+)$/i.exec(w);
        if (!m) throw new Error(`${at(b.header)}: expected client=ADDR[,NAME], server=ADDR or at=SECONDS, got ${JSON.stringify(w)}`);
        const key = m[1].toLowerCase();
        if (key === 'client') {
          const [addr, name] = m[2].split(',');
          c.client = addr;
          if (name !== undefined) c.name = name;
        } else if (key === 'server') c.server = m[2];
        else {
          if (!/^\d+(\.\d+)?$/.test(m[2])) throw new Error(`${at(b.header)}: at= needs a number of seconds, got ${JSON.stringify(m[2])}`);
          c.at = Number(m[2]);
          if (c.at < lastAt) throw new Error(`${at(b.header)}: at=${m[2]} is earlier than a previous connection's at=`);
          lastAt = c.at;
        }
      }
    }
    let i = b.from;
    for (; i < b.to && all[i].startsWith('#'); i++) {
      const l = all[i];
      let m;
      if ((m = /^#\s*client:\s*(\S+)\s*$/i.exec(l))) {
        const [addr, name] = m[1].split(',');
        c.client = addr;
        if (name !== undefined) c.name = name;
      } else if (/^#\s*pipelined\s*$/i.test(l)) c.pipelined = true;
      else if (/^#\s*bare-newline\s*$/i.test(l)) c.bareNewline = true;
      else if ((m = /^#\s*pregreet:\s?(.*)$/i.exec(l))) {
        const u = unescapePregreet(m[1]);
        if (u.error) throw new Error(`${at(i)}: pregreet: ${u.error}`);
        c.pregreet = (c.pregreet ?? '') + u.text;
      } else c.comments.push(l.replace(/^#\s?/, ''));
    }
    c.lines = all.slice(i, b.to);
    if (c.pipelined && c.lines.length && !/^\s*quit\s*$/i.test(c.lines[c.lines.length - 1]))
      throw new Error(`${at(b.from - 1)}: a pipelined connection must end with QUIT`);
    return c;
  });
}

/**
 * checkRecordable - what the recorder can play: loopback addresses only, no made-up client names.
 * @param {RecordedConnectionSpec[]} connections
 * @param {string} where
 * @returns {void}
 */
export function checkRecordable(connections, where) {
  for (const c of connections) {
    if (!LOOPBACK.test(c.client)) throw new Error(`${where}:${c.line}: client address must be in 127.0.0.0/8: ${c.client}`);
    if (!LOOPBACK.test(c.server)) throw new Error(`${where}:${c.line}: server address must be in 127.0.0.0/8: ${c.server}`);
    if (c.name !== undefined) throw new Error(`${where}:${c.line}: a recorded client's name comes from the dns file (PTR), not from client=ADDR,NAME`);
  }
}

/**
 * normalisePostscreenText - a postscreen log text without timings:
 * `PREGREET n after 0.12 from` and `HANGUP after 1.3 from` get `after T`.
 * @param {string} text
 * @returns {string}
 */
export function normalisePostscreenText(text) {
  return text.replace(/^(PREGREET \d+ after |HANGUP after )[\d.]+( from )/, '$1T$2');
}
