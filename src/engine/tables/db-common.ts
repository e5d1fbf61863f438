/*
 * NAME
 *   db-common - query templates of the SQL-style tables (db_common(3))
 * DESCRIPTION
 *   What sqlite_table(5), mysql_table(5) and pgsql_table(5) share: the
 *   query and result_format templates (`%% %s %u %d %S %U %D %1..%9`),
 *   the checks that suppress a query when the key lacks the parts a
 *   template needs, the `domain` list filter, and the legacy
 *   select_field/table/where_field query. One context is shared by the
 *   query and the result template, as in Postfix, so `%D` in result_format
 *   also suppresses queries for keys without a domain.
 * SEE ALSO
 *   sqlite_table(5), mysql_table(5), pgsql_table(5)
 */
import type { Diagnostic } from '../trace/types.ts';
import type { Table } from './types.ts';
import type { CfgParser } from './cfg-parser.ts';
import { CfgFatal } from './cfg-parser.ts';
import { splitList } from '../util/lists.ts';
import { warning } from './driver.ts';
import { foldKey } from '../util/casefold.ts';

const KEY_DOMAIN = 1;
const KEY_USER = 2;
const VALUE_DOMAIN = 4;
const VALUE_USER = 8;
const KEY_PARTIAL = 16;

/** One `domain` list item: a literal domain or a table, possibly negated. */
export type DomainPattern = { match: boolean; domain: string } | { match: boolean; table: Table };

/** The shared template context (DB_COMMON_CTX). */
export interface DbContext {
  /** `type` and `name` of the table, for messages. */
  readonly type: string;
  readonly name: string;
  flags: number;
  /** The highest `%1`..`%9` used. */
  nparts: number;
  domain?: DomainPattern[];
}

/** A quoting function applied to every substituted value (e.g. SQL `''`). */
export type Quote = (raw: string) => string;

export function createContext(type: string, name: string): DbContext {
  return { type, name, flags: 0, nparts: 0 };
}

/** parseTemplate - db_common_parse(): records what the template needs; throws CfgFatal on `%x`. */
export function parseTemplate(ctx: DbContext, format: string, isQuery: boolean): boolean {
  let dynamic = false;
  for (let i = 0; i < format.length; i++) {
    if (format[i] !== '%') continue;
    const c = format[++i];
    if (c === '%') continue;
    dynamic = true;
    if (c === 'u') ctx.flags |= isQuery ? KEY_USER | KEY_PARTIAL : VALUE_USER;
    else if (c === 'd') ctx.flags |= isQuery ? KEY_DOMAIN | KEY_PARTIAL : VALUE_DOMAIN;
    else if (c === 's' || c === 'S') continue;
    else if (c === 'U') ctx.flags |= KEY_PARTIAL | KEY_USER;
    else if (c === 'D' || (c !== undefined && c >= '1' && c <= '9')) {
      if (c !== 'D') ctx.nparts = Math.max(ctx.nparts, Number(c));
      ctx.flags |= KEY_PARTIAL | KEY_DOMAIN;
    } else throw new CfgFatal(`db_common_parse: ${ctx.name}: Invalid ${isQuery ? 'query' : 'result'} template: ${format}`);
  }
  return dynamic;
}

/** usesPartialKeys - the template reads parts of the key (%u %d %U %D %1..%9). */
export function usesPartialKeys(ctx: DbContext): boolean {
  return (ctx.flags & KEY_PARTIAL) !== 0;
}

/**
 * isFixedTable - db_common_dict_partial() is disabled in Postfix 3.7 ("breaks
 * recipient_delimiter"): every SQL table is FIXED, whatever its templates use.
 */
export function isFixedTable(_ctx: DbContext): boolean {
  return true;
}

/** The domain part after the last `@`, or undefined. */
function domainOf(s: string): string | undefined {
  const at = s.lastIndexOf('@');
  return at < 0 ? undefined : s.slice(at + 1);
}

/** Why a key or value cannot fill the template, or undefined when it can. */
function missingParts(ctx: DbContext, s: string, domainFlag: number, userFlag: number): string | undefined {
  if (!(ctx.flags & (domainFlag | userFlag))) return undefined;
  const d = domainOf(s);
  if ((d === undefined || d === '') && ctx.flags & domainFlag) return 'has no domain part';
  if (d !== undefined && s.lastIndexOf('@') === 0 && ctx.flags & userFlag) return 'has an empty local part';
  if (ctx.nparts > 0 && domainFlag === KEY_DOMAIN && labels(d ?? '').length < ctx.nparts) return `has fewer than ${ctx.nparts} domain labels`;
  return undefined;
}

/** argv_split(domain, "."): empty labels vanish. */
const labels = (d: string): string[] => d.split('.').filter((x) => x !== '');

/**
 * expand - db_common_expand(). For a query template, `value` is the lookup
 * key; for a result template, `value` is a result row and `key` the lookup
 * key. Appends to `out.text` (comma-separated) and returns true, or returns
 * false with `out.why` when the query is suppressed or the row skipped.
 */
export function expand(
  ctx: DbContext,
  format: string,
  value: string | null,
  key: string | undefined,
  out: { text: string; why?: string },
  warnings: Diagnostic[],
  quote?: Quote,
): boolean {
  if (value === null) return ((out.why = 'NULL value'), false);
  if (value === '') {
    warnings.push(
      warning(
        key !== undefined
          ? `table "${ctx.type}:${ctx.name}": empty lookup result for: "${key}" -- ignored`
          : `table "${ctx.type}:${ctx.name}": empty query string -- ignored`,
      ),
    );
    return ((out.why = key !== undefined ? 'empty value' : 'empty key'), false);
  }
  let why: string | undefined;
  if (key !== undefined) {
    why = missingParts(ctx, value, VALUE_DOMAIN, VALUE_USER);
    if (why) return ((out.why = `result "${value}" ${why}`), false);
    if (missingParts(ctx, key, KEY_DOMAIN, KEY_USER)) {
      warnings.push(warning(`db_common_expand: ${ctx.name}: lookup key '${value}' skipped after query`));
      return ((out.why = 'key lacks parts'), false);
    }
  } else {
    why = missingParts(ctx, value, KEY_DOMAIN, KEY_USER);
    if (why) return ((out.why = `key "${value}" ${why}`), false);
  }
  out.text += (out.text.length > 0 ? ',' : '') + substitute(ctx, format, value, key, quote);
  return true;
}

/**
 * substitute - the text of `format` with its expansions filled in, once
 * expand() has checked that `value` (and `key`) can fill them. Also gives
 * the unquoted values sqlite binds as statement parameters.
 */
export function substitute(ctx: DbContext, format: string, value: string, key: string | undefined, quote?: Quote): string {
  const vat = value.lastIndexOf('@');
  const vuser = vat < 0 ? value : value.slice(0, vat);
  const vdomain = vat < 0 ? undefined : value.slice(vat + 1);
  const kat = key === undefined ? vat : key.lastIndexOf('@');
  const kuser = key === undefined ? vuser : kat < 0 ? key : key.slice(0, kat);
  const kdomain = key === undefined ? vdomain : kat < 0 ? undefined : key.slice(kat + 1);
  const parts = ctx.nparts > 0 ? labels(kdomain ?? '') : [];
  const useValueParts = (ctx.flags & (key !== undefined ? VALUE_DOMAIN | VALUE_USER : KEY_DOMAIN | KEY_USER)) !== 0;
  let text = '';
  for (let i = 0; i < format.length; i++) {
    // Copy the text up to the next `%` in one piece.
    const pc = format.indexOf('%', i);
    if (pc < 0) return text + format.slice(i);
    if (pc > i) text += format.slice(i, pc);
    i = pc;
    const x = format[++i]!;
    let v: string;
    if (x === '%') {
      text += '%';
      continue;
    } else if (x === 's') v = value;
    else if (x === 'u') v = useValueParts && vdomain !== undefined ? vuser : value;
    else if (x === 'd') v = vdomain ?? '';
    else if (x === 'S') v = key ?? value;
    else if (x === 'U') v = kdomain !== undefined ? kuser : (key ?? value);
    else if (x === 'D') v = kdomain ?? '';
    else v = parts[parts.length - Number(x)] ?? '';
    text += quote ? quote(v) : v;
  }
  return text;
}

/**
 * parseDomainList - db_common_parse_domain(): the `domain` parameter as a
 * string match list (exact, case-insensitive; `!` negates; `/file`
 * expands in place; `type:table` is looked up).
 */
export async function parseDomainList(
  ctx: DbContext,
  parser: CfgParser,
  readFile: (path: string) => Uint8Array | undefined,
  openTable: (spec: string) => Promise<Table>,
  diagnostics: Diagnostic[],
): Promise<void> {
  const list = parser.getStr('domain', '', 0, 0) ?? '';
  if (list === '') return;
  const patterns: DomainPattern[] = [];
  const parse = async (text: string, initial: boolean): Promise<void> => {
    const items = splitList(text);
    for (let n = 0; n < items.length; n++) {
      const start = items[n]!;
      if (start.startsWith('#')) {
        diagnostics.push(warning(`${parser.name}: comment at end of line is not supported: ${items.slice(n).join(' ')}`));
        break;
      }
      let match = initial;
      let item = start;
      while (item.startsWith('!')) {
        match = !match;
        item = item.slice(1);
      }
      if (item === '') throw new CfgFatal(`${parser.name}: no pattern after '!'`);
      if (item.startsWith('/')) {
        const bytes = readFile(item);
        if (bytes === undefined) throw new CfgFatal(`open file ${item}: No such file or directory`);
        for (const line of new TextDecoder().decode(bytes).split('\n')) if (!line.startsWith('#')) await parse(line, match);
      } else if (/^[^[]*:/.test(item) && !item.startsWith('[')) {
        const table = await openTable(item);
        if (table.openError) throw new CfgFatal(table.openError.message);
        patterns.push({ match, table });
      } else patterns.push({ match, domain: foldKey(item).toLowerCase() });
    }
  };
  await parse(list, true);
  ctx.domain = patterns;
}

/**
 * checkDomain - db_common_check_domain(): 1 to query, 0 to skip (the key
 * is not user@domain or its domain is not listed), or an error message.
 */
export function checkDomain(ctx: DbContext, key: string): 0 | 1 | { error: Diagnostic } {
  if (!ctx.domain) return 1;
  const at = key.lastIndexOf('@');
  if (at <= 0) return 0;
  const domain = key.slice(at + 1).toLowerCase();
  for (const p of ctx.domain) {
    if ('domain' in p) {
      if (p.domain === domain) return p.match ? 1 : 0;
      continue;
    }
    const r = p.table.lookup(domain);
    if (r.status === 'found') return p.match ? 1 : 0;
    if (r.status === 'error') return { error: r.error };
  }
  return 0;
}

/** buildLegacyQuery - db_common_sql_build_query(): the query of the select_field/table/where_field form. */
export function buildLegacyQuery(parser: CfgParser): string {
  const table = parser.getStr('table', null, 1, 0);
  const select = parser.getStr('select_field', null, 1, 0);
  const where = parser.getStr('where_field', null, 1, 0);
  const extra = parser.getStr('additional_conditions', '', 0, 0);
  return `SELECT ${select} FROM ${table} WHERE ${where}='%s' ${extra}`;
}
