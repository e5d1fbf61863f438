/*
 * NAME
 *   lookups-format - the `queries` file of a golden lookup group
 * DESCRIPTION
 *   Shared by the recorder (scripts/golden/record-lookups.mjs, real Postfix)
 *   and the harness (tests/unit/golden-lookups.test.ts, the simulator), so
 *   both run exactly the same postmap command lines. The format is described
 *   in tests/golden/lookups/README.md.
 *
 *   Every line of `queries` is a comment (`#` first), blank, or TAB-separated:
 *     FLAGS <TAB> MAP [<TAB> MAP ...] <TAB> KEY   postmap FLAGS -q KEY MAP...
 *     batch <TAB> FLAGS <TAB> MAP... <TAB> FILE   postmap FLAGS -q - MAP... < FILE
 *     build <TAB> FLAGS <TAB> MAP...              postmap FLAGS MAP...   (build step)
 *     argv  <TAB> ARG [<TAB> ARG ...]             postmap ARG...         (read-only)
 *   FLAGS is empty or whitespace-separated options starting with `-`.
 *   Any of these lines may start with `postalias` <TAB>: then the command is
 *   postalias(1) instead of postmap, with the same arguments.
 */

/** @typedef {'postmap' | 'postalias'} GoldenProgram */

/**
 * One command of a `queries` file.
 * @typedef {object} GoldenQuery
 * @property {GoldenProgram} program
 * @property {'query' | 'batch' | 'argv'} kind
 * @property {string[]} argv
 * @property {string | null} stdinFile
 * @property {string[]} maps
 * @property {string | null} key
 * @property {string} label
 * @property {number} line
 */

/**
 * A `build` line of a `queries` file.
 * @typedef {{ program: GoldenProgram; argv: string[]; maps: string[]; line: number }} GoldenBuildLine
 */

/**
 * A build step the recorder runs (`auto`: not a `build` line, but a map a query names).
 * @typedef {object} GoldenBuild
 * @property {GoldenProgram} program
 * @property {string[]} argv
 * @property {string[]} maps
 * @property {boolean} auto
 */

/**
 * The programs a line can run.
 * @type {readonly string[]}
 */
export const PROGRAMS = ['postmap', 'postalias'];

/**
 * The types real postmap builds into a file (postconf -m, Debian 12).
 * @type {readonly string[]}
 */
export const BUILT_TYPES = ['hash', 'btree', 'lmdb', 'cdb'];

/**
 * The file postmap writes for each built type.
 * @type {Readonly<Record<string, string>>}
 */
export const BUILT_SUFFIX = { hash: '.db', btree: '.db', lmdb: '.lmdb', cdb: '.cdb' };

/**
 * The Postfix configuration directory a group stands for.
 * @type {string}
 */
export const CONFIG_DIRECTORY = '/etc/postfix';

/**
 * The whole environment real postmap is started with when recording (then
 * postmap itself adds import_environment's LANG=C and MAIL_LOGTAG). environ:
 * answers come from it, so the harness hands the simulator the same one.
 * @type {Readonly<Record<string, string>>}
 */
export const RECORD_ENVIRONMENT = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' };

/** @param {string} text */
const splitFlags = (text) => (text.trim() === '' ? [] : text.trim().split(/\s+/));

/**
 * parseQueries - the commands of one `queries` file.
 * Returns { queries, builds } where each query is
 *   { kind: 'query'|'batch'|'argv', argv: string[], stdinFile: string|null, maps: string[], key: string|null, label }
 * and each build is { argv: string[], maps: string[] }. Throws on a malformed line.
 * @param {string} text
 * @param {string} [where]
 * @returns {{ queries: GoldenQuery[]; builds: GoldenBuildLine[] }}
 */
export function parseQueries(text, where = 'queries') {
  /** @type {GoldenQuery[]} */
  const queries = [];
  /** @type {GoldenBuildLine[]} */
  const builds = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((whole, index) => {
    const at = `${where}:${index + 1}`;
    if (whole.trim() === '' || whole.startsWith('#')) return;
    /** @type {GoldenProgram} */
    const program = whole.startsWith('postalias\t') ? 'postalias' : 'postmap';
    const line = program === 'postmap' ? whole : whole.slice('postalias\t'.length);
    const fields = line.split('\t');
    const head = fields[0];
    /** @type {(why: string) => never} */
    const bad = (why) => {
      throw new Error(`${at}: ${why}: ${JSON.stringify(line)}`);
    };
    if (head === 'build') {
      if (fields.length < 3) bad('expected build<TAB>FLAGS<TAB>MAP...');
      const maps = fields.slice(2);
      builds.push({ program, argv: [...splitFlags(fields[1]), ...maps], maps, line: index + 1 });
      return;
    }
    if (head === 'batch') {
      if (fields.length < 4) bad('expected batch<TAB>FLAGS<TAB>MAP...<TAB>FILE');
      const maps = fields.slice(2, -1);
      const stdinFile = fields[fields.length - 1];
      if (stdinFile.includes('/') || stdinFile === '') bad('the keys FILE must be a file name in the group');
      queries.push({
        program,
        kind: 'batch',
        argv: [...splitFlags(fields[1]), '-q', '-', ...maps],
        stdinFile,
        maps,
        key: null,
        label: `${program === 'postalias' ? 'postalias ' : ''}${fields[1] ? fields[1] + ' ' : ''}-q - ${maps.join(' ')} < ${stdinFile}`,
        line: index + 1,
      });
      return;
    }
    if (head === 'argv') {
      const argv = fields.slice(1);
      queries.push({ program, kind: 'argv', argv, stdinFile: null, maps: [], key: null, label: `${program} ${argv.join(' ')}`.trim(), line: index + 1 });
      return;
    }
    if (head !== '' && !head.startsWith('-')) bad('the first field must be FLAGS (empty or -...), build, batch or argv');
    if (fields.length < 2) bad('expected FLAGS<TAB>MAP...<TAB>KEY');
    const maps = fields.slice(1, -1);
    const key = fields[fields.length - 1];
    queries.push({
      program,
      kind: 'query',
      argv: [...splitFlags(head), '-q', key, ...maps],
      stdinFile: null,
      maps,
      key,
      label: `${program === 'postalias' ? 'postalias ' : ''}${head ? head + ' ' : ''}${maps.join(' ')} ${JSON.stringify(key)}`,
      line: index + 1,
    });
  });
  return { queries, builds };
}

/**
 * splitMembers - the tables inside `{...}` of unionmap/pipemap, split like Postfix (comma/space, braces nest).
 * @param {string} inner
 * @returns {string[]}
 */
export function splitMembers(inner) {
  /** @type {string[]} */
  const members = [];
  let depth = 0;
  let current = '';
  for (const c of inner) {
    if (c === '{') depth++;
    if (c === '}') depth--;
    if (depth === 0 && (c === ',' || /\s/.test(c))) {
      if (current !== '') members.push(current);
      current = '';
    } else current += c;
  }
  if (current !== '') members.push(current);
  return members;
}

/**
 * builtMaps - every map a spec asks postmap to have built: `type:/etc/postfix/NAME`
 * for the built types (also inside unionmap/pipemap braces and behind proxy:),
 * and a bare `/etc/postfix/NAME` (default_database_type).
 * @param {string} spec
 * @returns {string[]}
 */
export function builtMaps(spec) {
  /** @type {string[]} */
  const out = [];
  /** @type {(s: string) => void} */
  const visit = (s) => {
    const colon = s.indexOf(':');
    if (colon < 0) {
      if (s.startsWith(CONFIG_DIRECTORY + '/')) out.push(s);
      return;
    }
    const type = s.slice(0, colon);
    const name = s.slice(colon + 1);
    if (type === 'proxy') return visit(name);
    if ((type === 'unionmap' || type === 'pipemap') && name.startsWith('{') && name.endsWith('}')) {
      splitMembers(name.slice(1, -1)).forEach(visit);
      return;
    }
    if (BUILT_TYPES.includes(type) && name.startsWith(CONFIG_DIRECTORY + '/')) out.push(`${type}:${name}`);
  };
  visit(spec);
  return out;
}

/**
 * sourceFile - the file name inside the group of a built map's source, or null.
 * @param {string} map
 * @returns {string | null}
 */
export function sourceFile(map) {
  const colon = map.indexOf(':');
  const path = colon < 0 ? map : map.slice(colon + 1);
  if (!path.startsWith(CONFIG_DIRECTORY + '/')) return null;
  const rel = path.slice(CONFIG_DIRECTORY.length + 1);
  return rel === '' || rel.includes('/') ? null : rel;
}

/**
 * defaultDatabaseType - default_database_type from a group's main.cf text
 * (Debian's compiled-in default is hash).
 * @param {string | undefined} mainCf
 * @returns {string}
 */
export function defaultDatabaseType(mainCf) {
  let type = 'hash';
  for (const m of (mainCf ?? '').matchAll(/^default_database_type[ \t]*=[ \t]*(\S*)[ \t]*$/gm)) type = m[1] || 'hash';
  return type;
}

/**
 * planGroup - the build steps and commands of one group, in the order the
 * recorder runs them: explicit `build` lines, then an automatic
 * `postmap MAP` (or `postalias MAP` for maps that postalias queries name)
 * for every built map that a query names, whose source exists and that no
 * `build` line covers; the first line that names a map decides which program
 * builds it (postmap can then query what postalias built). `build` lines
 * of both programs for one map are refused (both would write the file).
 * @param {string} text
 * @param {(name: string) => boolean} fileExists
 * @param {string} [where]
 * @param {string} [defaultType]
 * @returns {{ builds: GoldenBuild[]; queries: GoldenQuery[] }}
 */
export function planGroup(text, fileExists, where, defaultType = 'hash') {
  const { queries, builds } = parseQueries(text, where);
  /** @param {string} m */
  const typed = (m) => (m.includes(':') ? m : `${defaultType}:${m}`);
  /** @type {Map<string, GoldenProgram>} */
  const builder = new Map();
  /** @type {(program: GoldenProgram, m: string) => void} */
  const claim = (program, m) => {
    const t = typed(m);
    if (builder.has(t) && builder.get(t) !== program) throw new Error(`${where}: ${t} is built by both postmap and postalias; use separate source files`);
    builder.set(t, program);
  };
  for (const b of builds) b.maps.forEach((m) => claim(b.program, m));
  const covered = new Set(builds.flatMap((b) => b.maps.map(typed)));
  /** @type {GoldenBuild[]} */
  const steps = builds.map((b) => ({ program: b.program, argv: b.argv, maps: b.maps, auto: false }));
  for (const q of queries) {
    for (const m of q.maps.flatMap(builtMaps)) {
      if (covered.has(typed(m))) continue;
      covered.add(typed(m));
      const src = sourceFile(m);
      if (src !== null && fileExists(src)) steps.push({ program: q.program, argv: [m], maps: [m], auto: true });
    }
  }
  return { builds: steps, queries };
}
