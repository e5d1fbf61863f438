/*
 * NAME
 *   postscreen/access - the permanent allow/deny list (postscreen_access_list)
 * SYNOPSIS
 *   await parseAccessList(ctx, value, mynetworks) -> list
 *   list.evaluate(addr) -> { result, item, log, trace }
 * DESCRIPTION
 *   server_acl(3): a list of `permit`, `reject`, `dunno`,
 *   `permit_mynetworks` and `type:table` items, tried in order; the first
 *   that decides ends the search, `dunno` ends it undecided, and the end of
 *   the list is `dunno` too. A table is asked the client address (one
 *   lookup, no partial keys: use cidr for networks); its value is itself a
 *   list of the same commands without tables (a table there is not
 *   allowed), whose `dunno` returns to the outer list. An unknown command
 *   or a failed lookup ends the search with an error (postscreen then runs
 *   its tests). Commands are case-insensitive.
 * SEE ALSO
 *   postconf(5) postscreen_access_list, Postfix src/global/server_acl.c
 */
import { ruleSource } from '../search/index.ts';
import type { MatchList, SearchContext } from '../search/index.ts';
import type { Table } from '../tables/types.ts';
import type { PostscreenAclResult, PostscreenEvent, PostscreenEventOf, SourceLine } from '../trace/types.ts';
import { splitList } from '../util/lists.ts';

export type AclResult = PostscreenAclResult;

export interface AclAnswer {
  result: AclResult;
  /** The item that decided (with the table it came from, for table results). */
  item?: string;
  /** Where that item is written: the table rule, or the main.cf line of the list. */
  source?: SourceLine;
  /** Warnings postscreen logs while evaluating (without `warning: `). */
  log: string[];
  /** One access-item or lookup event per item tried, in order. */
  trace: PostscreenEvent[];
}

export interface AccessList {
  /** What opening the tables logged (table open errors). */
  readonly startup: readonly string[];
  evaluate(addr: string): AclAnswer;
}

const PARAM = 'postscreen_access_list';
const LIST_SEPARATORS_NO_COLON = ':, \t\r\n';

/** Where the list and mynetworks are set (main.cf or master.cf lines), for the trace. */
export interface AccessSources {
  list?: SourceLine;
  mynetworks?: SourceLine;
}

/** parseAccessList - server_acl_parse() for the parameter: split, open every table once. */
export async function parseAccessList(ctx: SearchContext, value: string, mynetworks: MatchList, sources: AccessSources = {}): Promise<AccessList> {
  const items = splitList(value);
  const tables = new Map<string, Table>();
  const startup: string[] = [];
  for (const item of items)
    if (item.includes(':') && !tables.has(item)) {
      const t = await ctx.cache.open(item);
      if (t.openError) startup.push(`error: ${t.openError.message}`);
      tables.set(item, t);
    }

  type Answer = { result: AclResult; item?: string; source?: SourceLine };
  const at = (source: SourceLine | undefined): { source?: SourceLine } => (source ? { source } : {});

  /** evaluate - server_acl_eval(): `origin` names the list in warnings; `source` is where its items are written. */
  function evaluate(addr: string, list: readonly string[], origin: string, source: SourceLine | undefined, log: string[], trace: PostscreenEvent[]): Answer {
    const item = (acl: string, result: PostscreenEventOf<'access-item'>['result'], extra: object = {}): void =>
      void trace.push({ kind: 'access-item', item: acl, result, ...extra, ...at(source) });
    for (const acl of list) {
      const word = acl.toLowerCase();
      if (word === 'reject' || word === 'permit') {
        item(acl, word);
        return { result: word, item: acl, ...at(source) };
      }
      if (word === 'permit_mynetworks') {
        const m = mynetworks.match(addr);
        const error = m.error && !m.matched ? 'mynetworks lookup error' : undefined;
        trace.push({
          kind: 'access-item',
          item: acl,
          result: m.matched ? 'permit' : error ? 'error' : 'no match',
          mynetworks: [...new Set(m.trace.items.map((i) => (i.negated ? `!${i.item}` : i.item)))],
          ...(error && { error }),
          ...at(sources.mynetworks ?? source),
        });
        if (m.matched) return { result: 'permit', item: acl, ...at(source) };
        if (error) {
          log.push(`${origin}: ${acl}: mynetworks lookup error -- ignoring the remainder of this access list`);
          return { result: 'error', item: acl, ...at(source) };
        }
        continue;
      }
      if (acl.includes(':')) {
        const table = tables.get(acl);
        if (!table) {
          // Only in a table's value: nested tables are not allowed (checked when the value is parsed).
          continue;
        }
        const r = table.lookup(addr);
        for (const w of r.warnings ?? []) log.push(w.message);
        const lookup = { kind: 'lookup' as const, table: acl, key: addr, trace: r.trace };
        if (table.openError || r.status === 'error') {
          if (table.openError) log.push(`${table.spec} is unavailable. ${table.openError.message}`);
          trace.push({ ...lookup, status: 'error' });
          log.push(`${origin}: ${acl}: table lookup error -- ignoring the remainder of this access list`);
          return { result: 'error', item: acl, ...at(source) };
        }
        if (r.status === 'notfound') {
          trace.push({ ...lookup, status: 'notfound' });
          continue;
        }
        const rule = ruleSource(r.trace);
        const node: PostscreenEvent = { ...lookup, status: 'found', value: r.value, ...at(rule), children: [] };
        trace.push(node);
        let inner: string[];
        if ([...LIST_SEPARATORS_NO_COLON].some((c) => r.value.includes(c))) {
          inner = [];
          for (const v of splitList(r.value)) {
            if (v.includes(':')) {
              log.push(`table ${acl}: lookup result "${v}" is not allowed -- ignoring remainder of access list`);
              inner.push('dunno');
              break;
            }
            inner.push(v);
          }
        } else inner = [r.value];
        const ret = evaluate(addr, inner, acl, rule, log, node.children!);
        if (ret.result !== 'dunno') return { ...ret, item: `${acl} ${ret.item ?? ''}`.trim() };
        continue;
      }
      if (word === 'dunno') {
        item(acl, 'dunno');
        return { result: 'dunno', item: acl, ...at(source) };
      }
      log.push(`${origin}: unknown command: ${acl} -- ignoring the remainder of this access list`);
      item(acl, 'error', { error: 'unknown command' });
      return { result: 'error', item: acl, ...at(source) };
    }
    return { result: 'dunno' };
  }

  return {
    startup,
    evaluate(addr) {
      const log: string[] = [];
      const trace: PostscreenEvent[] = [];
      const r = evaluate(addr, items, PARAM, sources.list, log, trace);
      return { ...r, log, trace };
    },
  };
}
