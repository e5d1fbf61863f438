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
import type { MatchList, SearchContext } from '../search/index.ts';
import type { Table } from '../tables/types.ts';
import type { PostscreenStep } from '../trace/types.ts';
import { splitList } from '../util/lists.ts';

export type AclResult = 'permit' | 'reject' | 'dunno' | 'error';

export interface AclAnswer {
  result: AclResult;
  /** The item that decided (with the table it came from, for table results). */
  item?: string;
  /** Warnings postscreen logs while evaluating (without `warning: `). */
  log: string[];
  trace: PostscreenStep[];
}

export interface AccessList {
  /** What opening the tables logged (table open errors). */
  readonly startup: readonly string[];
  evaluate(addr: string): AclAnswer;
}

const PARAM = 'postscreen_access_list';
const LIST_SEPARATORS_NO_COLON = ':, \t\r\n';

/** parseAccessList - server_acl_parse() for the parameter: split, open every table once. */
export async function parseAccessList(ctx: SearchContext, value: string, mynetworks: MatchList): Promise<AccessList> {
  const items = splitList(value);
  const tables = new Map<string, Table>();
  const startup: string[] = [];
  for (const item of items)
    if (item.includes(':') && !tables.has(item)) {
      const t = await ctx.cache.open(item);
      if (t.openError) startup.push(`error: ${t.openError.message}`);
      tables.set(item, t);
    }

  function evaluate(addr: string, list: readonly string[], origin: string, log: string[], trace: PostscreenStep[]): { result: AclResult; item?: string } {
    for (const acl of list) {
      const word = acl.toLowerCase();
      if (word === 'reject') {
        trace.push({ kind: 'restriction', title: acl, result: 'reject' });
        return { result: 'reject', item: acl };
      }
      if (word === 'permit') {
        trace.push({ kind: 'restriction', title: acl, result: 'permit' });
        return { result: 'permit', item: acl };
      }
      if (word === 'permit_mynetworks') {
        const m = mynetworks.match(addr);
        trace.push({
          kind: 'restriction',
          title: acl,
          result: m.matched ? 'permit' : 'no match',
          detail: `mynetworks: ${m.trace.items.map((i) => i.item).join(' ')}`,
        });
        if (m.matched) return { result: 'permit', item: acl };
        if (m.error) {
          log.push(`${origin}: ${acl}: mynetworks lookup error -- ignoring the remainder of this access list`);
          return { result: 'error', item: acl };
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
        if (table.openError || r.status === 'error') {
          if (table.openError) log.push(`${table.spec} is unavailable. ${table.openError.message}`);
          trace.push({ kind: 'lookup', title: `${acl} ${addr}`, result: 'error', lookup: r.trace });
          log.push(`${origin}: ${acl}: table lookup error -- ignoring the remainder of this access list`);
          return { result: 'error', item: acl };
        }
        if (r.status === 'notfound') {
          trace.push({ kind: 'lookup', title: `${acl} ${addr}`, result: 'not found', lookup: r.trace });
          continue;
        }
        const node: PostscreenStep = { kind: 'lookup', title: `${acl} ${addr}`, result: r.value, lookup: r.trace, children: [] };
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
        const ret = evaluate(addr, inner, acl, log, node.children!);
        if (ret.result !== 'dunno') return { result: ret.result, item: `${acl} ${ret.item ?? ''}`.trim() };
        continue;
      }
      if (word === 'dunno') {
        trace.push({ kind: 'restriction', title: acl, result: 'dunno' });
        return { result: 'dunno', item: acl };
      }
      log.push(`${origin}: unknown command: ${acl} -- ignoring the remainder of this access list`);
      trace.push({ kind: 'restriction', title: acl, result: 'error', detail: 'unknown command' });
      return { result: 'error', item: acl };
    }
    return { result: 'dunno' };
  }

  return {
    startup,
    evaluate(addr) {
      const log: string[] = [];
      const trace: PostscreenStep[] = [];
      const r = evaluate(addr, items, PARAM, log, trace);
      return { ...r, log, trace };
    },
  };
}
