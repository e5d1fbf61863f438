/*
 * NAME
 *   match-list - Postfix's pattern lists (match_list(3), match_ops(3))
 * SYNOPSIS
 *   openMatchList(ctx, param, value, kind)
 *   list.match(domain) | list.match(name, addr) | list.match(string) | list.match(addr)
 * DESCRIPTION
 *   Parameters such as mydestination, relay_domains and mynetworks are
 *   lists, not tables: items separated by commas or whitespace, each a
 *   literal pattern, a `/file/name` whose lines are read as more items, or
 *   a `type:table` that is asked whether the subject exists (the value is
 *   ignored). `!` before an item negates it (each `!` toggles); `!/file`
 *   negates every item of the file. The first item that matches decides;
 *   a matching negated item answers "no match" at once. A table lookup that
 *   fails stops the search: no match, with the error (DICT_ERR).
 *
 *   Kinds, as Postfix builds them:
 *   string  (string_list)  case-insensitive exact match: mydestination,
 *                          virtual_*_domains, masquerade_exceptions.
 *   domain  (domain_list)  exact or parent domain: `.example.com` matches
 *                          subdomains; with the parameter named in
 *                          parent_domain_matches_subdomains, `example.com`
 *                          matches subdomains too (relay_domains). Fixed
 *                          tables are asked for the name, then its parents.
 *   namadr  (namadr_list)  a host name as `domain`, then its address
 *                          (exact, `[addr]`, `net/len`): mynetworks-like.
 *   addr    (addr_match_list) the address part only.
 * SEE ALSO
 *   postconf(5) "parent_domain_matches_subdomains", match_list(3)
 */
import { LIST_SEPARATORS, splitList } from '../util/lists.ts';
import { foldKey } from '../util/casefold.ts';
import { familyOf, hasHostBits, inPrefix, maskAddress, parseAddress, formatAddress } from '../util/inet.ts';
import type { Table } from '../tables/types.ts';
import type { Diagnostic, ListItemTrace, LookupTrace, MatchListTrace } from '../trace/types.ts';
import type { SearchContext } from './context.ts';
import { isFixedTable } from './context.ts';
import { decodeBytes } from '../util/bytes.ts';

export { openMaps, makeMaps } from './maps.ts';
export type { Maps, MapsResult } from './maps.ts';

/** The list kinds Postfix builds. */
export type MatchListKind = 'domain' | 'string' | 'namadr' | 'addr';

/** The answer of one match_list_match(). */
export interface MatchListResult {
  matched: boolean;
  /** A table lookup (or a net/mask pattern) failed: Postfix's list->error. */
  error?: Diagnostic;
  /** Every table lookup made, in order (also in trace). */
  lookups: LookupTrace[];
  trace: MatchListTrace;
}

/** An opened match list. */
export interface MatchList {
  readonly param: string;
  readonly kind: MatchListKind;
  /** Parent-domain style in effect (the parameter is in parent_domain_matches_subdomains). */
  readonly parentStyle: boolean;
  /** What Postfix logs while reading the list (comments, unreadable files, tables). */
  readonly diagnostics: readonly Diagnostic[];
  /** True when the list has no items (Postfix often skips the list then). */
  readonly empty: boolean;
  match(...args: string[]): MatchListResult;
}

interface Item {
  text: string;
  negated: boolean;
  file?: string;
  table?: Table;
}

/** matchParentStyle - match_parent_style(): is `param` in parent_domain_matches_subdomains? */
export function matchParentStyle(ctx: SearchContext, param: string): boolean {
  const list = ctx.params.get('parent_domain_matches_subdomains') ?? '';
  return splitList(list).some((p) => foldKey(p) === foldKey(param));
}

/** The missing /file/name entries already reported, per search context (one context stands for one program). */
const REPORTED = new WeakMap<object, Set<string>>();

/** isTableItem - MATCH_DICTIONARY(): not `[...` and contains a colon. */
const isTableItem = (item: string): boolean => item[0] !== '[' && item.includes(':');

/** openMatchList - parse and open a list the way match_list_init() does (MATCH_FLAG_RETURN). */
export async function openMatchList(ctx: SearchContext, param: string, value: string, kind: MatchListKind): Promise<MatchList> {
  const diagnostics: Diagnostic[] = [];
  const items: Item[] = [];
  let fatalError: Diagnostic | undefined;

  async function parse(text: string, initial: boolean, file?: string): Promise<void> {
    const tokens = splitList(text, LIST_SEPARATORS);
    let cursor = 0;
    for (let t = 0; t < tokens.length; t++) {
      const start = tokens[t]!;
      const at = text.indexOf(start, cursor);
      cursor = at + start.length;
      if (start.startsWith('#')) {
        // Postfix prints the token and the rest of the text as it stands (a file line keeps its newline).
        diagnostics.push({ severity: 'warning', message: `${param}: comment at end of line is not supported: ${start} ${text.slice(cursor + 1)}` });
        break;
      }
      let match = initial;
      let i = 0;
      while (start[i] === '!') {
        match = !match;
        i++;
      }
      const item = start.slice(i);
      if (item === '') {
        fatalError ??= { severity: 'fatal', message: `${param}: no pattern after '!'` };
        continue;
      }
      if (item.startsWith('/')) {
        const bytes = ctx.host.readFile(item);
        if (bytes === undefined) {
          const reason = `open file ${item}: No such file or directory`;
          // The surrogate is registered once per process (dict_handle): the error is logged once.
          let reported = REPORTED.get(ctx);
          if (!reported) REPORTED.set(ctx, (reported = new Set()));
          if (!reported.has(item)) diagnostics.push({ severity: 'error', message: reason, file: item });
          reported.add(item);
          items.push({ text: item, negated: !match, ...(file && { file }), table: unreadable(item, reason) });
          continue;
        }
        // vstring_fgets(): each line with its newline; a line that starts with `#` is skipped.
        for (const line of decodeBytes(bytes).split(/(?<=\n)/)) if (!line.startsWith('#')) await parse(line, match, item);
      } else if (isTableItem(item)) {
        const table = await ctx.cache.open(item);
        diagnostics.push(...table.diagnostics);
        if (table.openError) diagnostics.push({ ...table.openError, severity: 'error' });
        items.push({ text: item, negated: !match, ...(file && { file }), table });
      } else {
        items.push({ text: foldKey(item), negated: !match, ...(file && { file }) });
      }
    }
  }
  await parse(value, true);
  if (fatalError) diagnostics.push(fatalError);
  const parentStyle = kind === 'domain' || kind === 'namadr' ? matchParentStyle(ctx, param) : false;

  return {
    param,
    kind,
    parentStyle,
    diagnostics,
    empty: items.length === 0,
    match(...args: string[]): MatchListResult {
      const subject = args.map(foldKey);
      const tried: ListItemTrace[] = [];
      const trace: MatchListTrace = { list: param, subject, items: tried, matched: false };
      const all = (): LookupTrace[] => {
        const out: LookupTrace[] = [];
        for (const t of tried) if (t.lookups) for (const l of t.lookups) out.push(l);
        return out;
      };
      if (fatalError) return { matched: false, error: fatalError, lookups: [], trace: { ...trace, error: fatalError } };
      const warnings: Diagnostic[] = [];
      for (const item of items) {
        const fns = matchers(kind);
        for (let a = 0; a < fns.length && a < subject.length; a++) {
          const lookups: LookupTrace[] = [];
          const r = fns[a]!(item, subject[a]!, lookups, param, parentStyle, warnings);
          if (warnings.length > 0) trace.warnings = warnings;
          const step: ListItemTrace = { item: item.text, negated: item.negated, matched: r === true };
          if (item.file) step.file = item.file;
          if (lookups.length) step.lookups = lookups;
          tried.push(step);
          if (r === true) {
            trace.matched = !item.negated;
            return { matched: trace.matched, lookups: all(), trace };
          }
          if (r !== false) {
            trace.error = r;
            return { matched: false, error: r, lookups: all(), trace };
          }
        }
      }
      return { matched: false, lookups: all(), trace };
    },
  };
}

/** A surrogate for an unreadable /file/name (DICT_TYPE_NOFILE): every lookup fails with the reason. */
function unreadable(name: string, reason: string): Table {
  const error: Diagnostic = { severity: 'warning', message: reason };
  const spec = `non-existent:${name}`;
  return {
    spec,
    type: 'non-existent',
    name,
    fixed: false,
    diagnostics: [],
    openError: error,
    lookup: (key) => ({ status: 'error', error, trace: { table: spec, key } }),
  };
}

/** One match function: true, false, or the error that stops the list (lookup warnings go to `warnings`). */
type Matcher = (item: Item, subject: string, lookups: LookupTrace[], param: string, parent: boolean, warnings: Diagnostic[]) => boolean | Diagnostic;

function tableError(item: Item, param: string): Diagnostic {
  const t = item.table!;
  return { severity: 'warning', message: `${param}: ${t.type}:${t.name}: table lookup problem` };
}

/** Ask a table whether `key` exists: true, false or the list error. */
function exists(item: Item, key: string, lookups: LookupTrace[], param: string, warnings: Diagnostic[]): boolean | Diagnostic {
  const t = item.table!;
  const r = t.lookup(key);
  lookups.push(r.trace);
  if (r.warnings) warnings.push(...r.warnings);
  if (r.status === 'found') return true;
  if (r.status === 'error') {
    // A table that could not be opened is a surrogate: each lookup logs why (dict_surrogate).
    if (t.openError) warnings.push({ severity: 'warning', message: `${t.spec} is unavailable. ${t.openError.message}` });
    return tableError(item, param);
  }
  return false;
}

/** match_string */
const matchString: Matcher = (item, s, lookups, param, _parent, warnings) => (item.table ? exists(item, s, lookups, param, warnings) : s === item.text);

/** match_hostname */
const matchHostname: Matcher = (item, name, lookups, param, parent, warnings) => {
  if (item.table) {
    const fixed = isFixedTable(item.table);
    for (let entry = 0; entry < name.length;) {
      if (entry === 0 || fixed) {
        const r = exists(item, name.slice(entry), lookups, param, warnings);
        if (r !== false) return r;
      }
      const next = name.indexOf('.', entry + 1);
      if (next < 0) break;
      entry = parent ? next + 1 : next;
    }
    return false;
  }
  const pattern = item.text;
  if (name === pattern) return true;
  const pd = name.length - pattern.length;
  if (parent) return pd > 0 && name[pd - 1] === '.' && name.slice(pd) === pattern;
  return pattern.startsWith('.') && pd > 0 && name.slice(pd) === pattern;
};

const V4_CHARS = /^[0-9.]*$/;
const V6_CHARS = /^[0-9.a-fA-F:]*$/;

/** match_hostaddr */
const matchHostaddr: Matcher = (item, addr, lookups, param, _parent, warnings) => {
  if (!V6_CHARS.test(addr)) return false;
  if (item.table) return exists(item, addr, lookups, param, warnings);
  const pattern = item.text;
  if (pattern[0] !== '[') {
    if (addr === pattern) return true;
  } else if (pattern === `[${addr}]`) return true;
  if (addr.includes(':') !== pattern.includes(':')) return false;
  if (!/[:/]/.test(pattern) || V4_CHARS.test(pattern) || !/^[0-9.a-fA-F:[\]/]*$/.test(pattern)) return false;
  let net = NETS.get(pattern);
  if (net === undefined) NETS.set(pattern, (net = parseNetPattern(pattern)));
  if (typeof net === 'string') return { severity: 'warning', message: `${param}: ${net}` };
  const a = parseAddress(addr);
  return a !== undefined && a.family === net.family && inPrefix(a.bytes, net.bytes, net.bits);
};

/** Parsed net/mask patterns: lists are matched far more often than they change. */
const NETS = new Map<string, ReturnType<typeof parseNetPattern>>();

/** cidr_match_parse() for list patterns: `addr`, `net/len`, `[v6]`, `[v6]/len`. */
function parseNetPattern(pattern: string): { family: 4 | 6; bytes: Uint8Array; bits: number } | string {
  const slash = pattern.indexOf('/');
  let host = slash >= 0 ? pattern.slice(0, slash) : pattern;
  const lenText = slash >= 0 ? pattern.slice(slash + 1) : undefined;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const family = familyOf(host);
  const a = parseAddress(host);
  const max = family === 6 ? 128 : 32;
  if (!a || (lenText !== undefined && (!/^\d+$/.test(lenText) || Number(lenText) > max))) return `bad net/mask pattern: "${pattern}"`;
  const bits = lenText === undefined ? max : Number(lenText);
  if (hasHostBits(a.bytes, bits)) {
    const fixed = formatAddress({ family, bytes: maskAddress(a.bytes, bits) });
    return `non-null host address bits in "${pattern}", perhaps you should use "${family === 6 ? `[${fixed}]` : fixed}/${bits}" instead`;
  }
  return { family, bytes: a.bytes, bits };
}

/** The match functions of each list kind, in the order of their arguments. */
const MATCHERS: Readonly<Record<MatchListKind, readonly Matcher[]>> = {
  string: [matchString],
  domain: [matchHostname],
  namadr: [matchHostname, matchHostaddr],
  addr: [matchHostaddr],
};
const matchers = (kind: MatchListKind): readonly Matcher[] => MATCHERS[kind];
