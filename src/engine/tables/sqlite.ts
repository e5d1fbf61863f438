/*
 * NAME
 *   sqlite - the sqlite: table driver
 * DESCRIPTION
 *   Models sqlite_table(5) as Postfix 3.7 implements it (dict_sqlite,
 *   db_common, cfg_parser): the map name is a parameter file (or, for a
 *   name not starting with `/` or `.`, main.cf's NAME_* parameters); the
 *   key is folded to lowercase (unless postmap -f), filtered by `domain`,
 *   expanded into `query` with values quoted as sqlite3_mprintf("%q")
 *   does, and the first column of every row goes through result_format,
 *   joined with commas. The database file (`dbpath`) is read through the
 *   host and queried with sql.js. Every SQL table is FIXED in 3.7.
 *
 *   Speed: preparing SQL costs more than running it, so a SELECT template
 *   whose every expansion lies inside a single-quoted literal is prepared
 *   once, with `?` for those literals, and each lookup binds the unquoted
 *   values: the same TEXT values Postfix's doubled quotes produce. The
 *   trace still shows the SQL text Postfix sends. SELECT-only connections
 *   also keep their lock (locking_mode=EXCLUSIVE), which spares sql.js's
 *   file layer a journal check and header read per query.
 * SEE ALSO
 *   sqlite_table(5), db-common.ts, cfg-parser.ts
 */
import type { Database, SqlValue, Statement } from 'sql.js';
import type { Diagnostic, LookupResult, LookupTrace } from '../trace/types.ts';
import { CfgFatal, cfgParserFromFile, cfgParserFromMainCf, parseParameterFile } from './cfg-parser.ts';
import type { CfgParser } from './cfg-parser.ts';
import { buildLegacyQuery, checkDomain, createContext, expand, isFixedTable, parseDomainList, parseTemplate, substitute } from './db-common.ts';
import { fatal, surrogateTable, warning } from './driver.ts';
import { casefoldUtf8, foldKey } from '../util/casefold.ts';
import { decodeBytes } from '../util/bytes.ts';
import type { Table, TableDriver } from './types.ts';

/** quoteSql - sqlite3_mprintf("%q"): single quotes doubled. */
export const quoteSql = (raw: string): string => raw.replaceAll("'", "''");

/** Postfix writes these fatal messages with a trailing newline, which its logger shows as `?`. */
const nl = '?';

/** formatReal - SQLite 3.40's REAL to TEXT conversion ("%!.15g"). */
export function formatReal(x: number): string {
  if (Number.isNaN(x)) return '';
  if (!Number.isFinite(x)) return x > 0 ? 'Inf' : '-Inf';
  if (x === 0) return '0.0';
  const [mant, expText] = x.toExponential(14).split('e') as [string, string];
  const exp = Number(expText);
  const strip = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '.0') : s + '.0');
  if (exp < -4 || exp >= 15) {
    const e = Math.abs(exp);
    return `${strip(mant)}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  return strip(x.toFixed(Math.max(0, 14 - exp)));
}

/**
 * columnText - sqlite3_column_text() of a value: NULL stays null, text ends
 * at a NUL byte. sql.js decodes TEXT as UTF-8, so a byte that is not UTF-8
 * arrives as U+FFFD: it is kept as a byte that is not UTF-8 (which one is
 * lost), so UTF-8 mode refuses the value as Postfix does.
 */
function columnText(v: SqlValue | bigint): string | null {
  if (v === null || v === undefined) return null;
  let s: string;
  if (typeof v === 'bigint') s = v.toString();
  else if (typeof v === 'number')
    s = formatReal(v); // integers come as bigint: a number is a REAL
  else if (v instanceof Uint8Array) s = decodeBytes(v);
  else s = String(v).replaceAll('\ufffd', '\udcff');
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

/** SQLite identifier characters: a literal glued to one is not a plain string (X'..', '..'1). */
const isIdChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_$\u0080-\uffff]/.test(c);

/** unpercent - template text outside expansions: `%%` is `%`; undefined if it holds an expansion. */
function unpercent(s: string): string | undefined {
  if (!s.includes('%')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '%') out += s[i];
    else if (s[++i] === '%') out += '%';
    else return undefined;
  }
  return out;
}

/**
 * bindableQuery - for a SELECT template whose every expansion lies inside a
 * single-quoted SQL literal, the SQL with each such literal made a `?`, and
 * per parameter the literal's content (`''` undone) as a template of the
 * value to bind. Undefined when binding might not mean the same as the
 * textual query: expansions outside literals, parameter markers of its own,
 * a literal glued to a word, unterminated quotes, anything but SELECT.
 */
export function bindableQuery(format: string): { sql: string; params: string[] } | undefined {
  if (!/^[ \t\n\f\r]*select(?![A-Za-z0-9_$\u0080-\uffff])/i.test(format)) return undefined;
  let sql = '';
  const params: string[] = [];
  const n = format.length;
  for (let i = 0; i < n;) {
    const c = format[i]!;
    const next = format[i + 1];
    if (c === "'") {
      let content = '';
      let dynamic = false;
      let j = i + 1;
      for (; ; j++) {
        if (j >= n) return undefined;
        const d = format[j]!;
        if (d === "'") {
          if (format[j + 1] !== "'") break;
          content += "'";
          j++;
        } else if (d === '%') {
          dynamic ||= format[j + 1] !== '%';
          content += d + (format[++j] ?? '');
        } else content += d;
      }
      if (dynamic) {
        if (isIdChar(format[i - 1]) || isIdChar(format[j + 1])) return undefined;
        sql += '?';
        params.push(content);
      } else sql += unpercent(format.slice(i, j + 1))!;
      i = j + 1;
      continue;
    }
    // Quoted identifiers and comments are copied; an expansion inside one is not bindable.
    let end = -1;
    if (c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c;
      end = format.indexOf(close, i + 1);
      while (end >= 0 && close !== ']' && format[end + 1] === close) end = format.indexOf(close, end + 2);
      if (end < 0) return undefined;
      end++;
    } else if (c === '-' && next === '-') {
      end = format.indexOf('\n', i);
      if (end < 0) end = n;
    } else if (c === '/' && next === '*') {
      end = format.indexOf('*/', i + 2);
      end = end < 0 ? n : end + 2;
    } else if ('%?:@$#'.includes(c)) {
      // `%%` is `%`; an expansion or a parameter marker outside a literal is not bindable.
      if (c !== '%' || next !== '%') return undefined;
      sql += '%';
      i += 2;
      continue;
    }
    if (end < 0) {
      sql += c;
      i++;
      continue;
    }
    const text = unpercent(format.slice(i, end));
    if (text === undefined) return undefined;
    sql += text;
    i = end;
  }
  return { sql, params };
}

const BIGINT = { useBigInt: true };

/** Keys the bound path leaves to the textual one: a NUL ends the SQL text; lone surrogates encode differently. */
const UNBINDABLE_KEY = /[\0\ud800-\udfff]/;

/** readConfig - the parameters of sqlite:NAME, or Postfix's fatal error. */
function readConfig(name: string, options: Parameters<TableDriver['open']>[2]): CfgParser | Diagnostic {
  if (name.startsWith('/') || name.startsWith('.')) {
    const bytes = options.host.readFile(name);
    if (bytes === undefined) return fatal(`open ${name}: No such file or directory`, name);
    const parsed = parseParameterFile(decodeBytes(bytes), name);
    if ('error' in parsed) return fatal(parsed.error, name);
    return cfgParserFromFile(name, parsed.params, parsed.diagnostics);
  }
  return cfgParserFromMainCf(name, options.mainCf ?? (() => undefined));
}

/** The sqlite: table driver. */
export const sqliteDriver: TableDriver = {
  async open(type, name, options, openMember) {
    const spec = `${type}:${name}`;
    const parser = readConfig(name, options);
    if (!('getStr' in parser)) return surrogateTable(type, name, parser, true);
    const diagnostics: Diagnostic[] = [...parser.diagnostics];
    const ctx = createContext(type, name);
    let dbpath: string, query: string, resultFormat: string, limit: number;
    try {
      dbpath = parser.getStr('dbpath', '', 1, 0)!;
      query = parser.getStr('query', null, 0, 0) ?? buildLegacyQuery(parser);
      resultFormat = parser.getStr('result_format', '%s', 1, 0)!;
      limit = parser.getInt('expansion_limit', 0, 0, 0);
      parseTemplate(ctx, query, true);
      parseTemplate(ctx, resultFormat, false);
      await parseDomainList(ctx, parser, options.host.readFile, (s) => openMember(s, options), diagnostics);
    } catch (e) {
      if (e instanceof CfgFatal) return surrogateTable(type, name, fatal(e.message, name), true, diagnostics);
      throw e;
    }
    if (!options.host.loadSqlJs) return surrogateTable(type, name, fatal(`${spec}: this host cannot load SQLite (sql.js)`), true, diagnostics);
    const SQL = await options.host.loadSqlJs();
    const bytes = options.host.readFile(dbpath);
    // Postfix opens with SQLITE_OPEN_READONLY: a missing file is not created (golden sqlite-errors q5).
    let db: Database;
    try {
      if (bytes === undefined) throw new Error('unable to open database file');
      db = new SQL.Database(bytes);
    } catch (e) {
      return surrogateTable(type, name, fatal(`${spec}: Can't open database: ${(e as Error).message}${nl}`), true, diagnostics);
    }
    const fold = options.foldFixed !== false;
    const where = `dict_sqlite_lookup: ${name}`;
    // Prepared once when binding is equivalent; a template SQLite rejects stays on the textual path.
    const bound = bindableQuery(query);
    let prepared: Statement | undefined;
    if (bound) {
      try {
        if (!/locking_mode/i.test(query)) db.exec('PRAGMA locking_mode=EXCLUSIVE');
        prepared = db.prepare(bound.sql);
        // Only the first statement is compiled: a `?` in an ignored tail leaves one unbindable (SQLITE_RANGE).
        prepared.bind(bound.params.map(() => ''));
        prepared.reset();
      } catch {
        prepared?.free();
        prepared = undefined;
      }
    }
    // useBigInt keeps INTEGER exact (not in @types/sql.js); a plain number is then always a REAL.
    const getRow = (stmt: Statement): (SqlValue | bigint)[] =>
      (stmt.get as unknown as (p: null, c: { useBigInt: boolean }) => (SqlValue | bigint)[]).call(stmt, null, BIGINT);

    const table: Table = {
      spec,
      type,
      name,
      fixed: isFixedTable(ctx),
      diagnostics,
      lookup(key: string): LookupResult {
        const trace: LookupTrace = { table: spec, key };
        const warnings: Diagnostic[] = [];
        const done = (r: LookupResult): LookupResult => (warnings.length ? { ...r, warnings } : r);
        if (!options.utf8 && /[\udc80-\udcff]/.test(key)) {
          // "Don't frustrate future attempts to make Postfix UTF-8 transparent": no lookup.
          trace.skipped = 'the key is not UTF-8: dict_sqlite does not look it up';
          return done({ status: 'notfound', trace });
        }
        const folded = fold ? (options.utf8 ? casefoldUtf8(key) : foldKey(key)) : key;
        if (folded !== key) trace.foldedKey = folded;
        const domainRc = checkDomain(ctx, folded);
        if (domainRc === 0) {
          trace.skipped = `"${folded}" is not user@domain with a domain in the domain list`;
          return done({ status: 'notfound', trace });
        }
        if (domainRc !== 1) return done({ status: 'error', error: domainRc.error, trace });
        const q: { text: string; why?: string } = { text: '' };
        if (!expand(ctx, query, folded, undefined, q, warnings, quoteSql)) {
          trace.skipped = `query suppressed: ${q.why}`;
          return done({ status: 'notfound', trace });
        }
        trace.query = q.text;
        let stmt: Statement;
        try {
          if (prepared && !UNBINDABLE_KEY.test(folded)) {
            stmt = prepared;
            stmt.bind(bound!.params.map((p) => substitute(ctx, p, folded, undefined)));
          } else stmt = db.prepare(q.text);
        } catch (e) {
          if (String(e) === 'Nothing to prepare') {
            // No statement at all: sqlite3_step(NULL) fails with "not an error".
            warnings.push(warning(`${where}: SQL step failed for query '${q.text}': not an error${nl}`));
            return done({ status: 'error', error: { severity: 'error', message: 'Application error' }, trace });
          }
          return done({ status: 'error', error: fatal(`${where}: SQL prepare failed: ${(e as Error).message}${nl}`), trace });
        }
        const result: { text: string; why?: string } = { text: '' };
        let expansions = 0;
        let rows = 0;
        try {
          while (stmt.step()) {
            rows++;
            const value = columnText(getRow(stmt)[0] ?? null);
            if (expand(ctx, resultFormat, value, folded, result, warnings) && limit > 0 && ++expansions > limit) {
              warnings.push(warning(`${where}: Expansion limit exceeded for key '${folded}'`));
              // postmap's "%m" shows whatever errno SQLite left behind.
              return done({ status: 'error', error: { severity: 'error', message: 'No such file or directory' }, trace });
            }
          }
        } catch (e) {
          const msg = (e as Error).message;
          warnings.push(warning(`${where}: SQL step failed for query '${q.text}': ${msg}${nl}`));
          return done({ status: 'error', error: fatal(`${where}: SQL finalize failed for query '${q.text}': ${msg}${nl}`), trace });
        } finally {
          if (stmt === prepared) stmt.reset();
          else stmt.free();
        }
        trace.notes = [`${rows} row${rows === 1 ? '' : 's'}`];
        if (result.text === '') return done({ status: 'notfound', trace });
        return done({ status: 'found', value: result.text, trace });
      },
      close() {
        prepared?.free();
        db.close();
      },
    };
    return table;
  },
};
