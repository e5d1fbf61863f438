/*
 * NAME
 *   addr-map - one address to a list of addresses through maps (mail_addr_map(3), mail_addr_crunch(3))
 * DESCRIPTION
 *   The address is looked up with the default search order (addr-find.ts).
 *   A result `@otherdomain` keeps the original local part (without the
 *   extension). The result is an address list; each address is rewritten
 *   to standard form in the local context, and an extension that had to be
 *   stripped to find the entry is put back on each result when
 *   `propagate` (propagate_unmatched_extensions) allows. A result without
 *   any address is an error: "... returns non-address result".
 * SEE ALSO
 *   canonical(5), virtual(5)
 */
import type { AddrFindOptions, QueryForm } from '../search/addr-find.ts';
import { MA_FIND_DEFAULT, mailAddrFind } from '../search/addr-find.ts';
import type { Maps } from '../search/maps.ts';
import { quote822Local, unquote822Local } from '../search/quote.ts';
import type { AddrFindTrace, AddressEvent, Diagnostic } from '../trace/types.ts';
import type { RewriteSettings } from './rewrite.ts';
import { rewriteExternal } from './rewrite.ts';
import { externalize, parseAddressList } from '../util/tok822.ts';

/** The answer of mailAddrMap: internal-form addresses. */
export interface AddrMapResult {
  status: 'found' | 'notfound' | 'error';
  addresses?: string[];
  error?: Diagnostic;
  trace: AddrFindTrace;
}

/** crunch - mail_addr_crunch(): an external-form address list to internal-form addresses. */
export function crunch(text: string, extension: string | undefined, rewrite: RewriteSettings, events: AddressEvent[]): string[] {
  const input = text === '' || text === '<>' ? '""' : text;
  const out: string[] = [];
  for (const tokens of parseAddressList(input)) {
    let addr = unquote822Local(rewriteExternal('local', externalize(tokens), rewrite, events));
    if (extension) {
      const at = addr.lastIndexOf('@');
      addr = at < 0 ? addr + extension : addr.slice(0, at) + extension + addr.slice(at);
    }
    out.push(addr);
  }
  return out;
}

/** mailAddrMap - mail_addr_map_opt() with internal-form input and output. */
export function mailAddrMap(
  maps: Maps,
  address: string,
  propagate: boolean,
  find: Omit<AddrFindOptions, 'strategy' | 'queryForm'>,
  queryForm: QueryForm,
  rewrite: RewriteSettings,
  events: AddressEvent[],
): AddrMapResult {
  const r = mailAddrFind(maps, address, { ...find, strategy: MA_FIND_DEFAULT, queryForm });
  events.push({ kind: 'find', trace: r.trace });
  if (r.status !== 'found') return { status: r.status, ...(r.error && { error: r.error }), trace: r.trace };
  let value = r.value!;
  if (value.startsWith('@')) {
    const at = address.lastIndexOf('@');
    let local = at >= 0 ? address.slice(0, at) : address;
    if (r.extension) local = local.slice(0, local.length - r.extension.length);
    value = quote822Local(local + value);
  }
  const addresses = crunch(value, propagate ? r.extension : undefined, rewrite, events);
  if (addresses.length === 0) {
    const error: Diagnostic = { severity: 'warning', message: `${maps.title} lookup of ${address} returns non-address result "${value}"` };
    events.push({ kind: 'diagnostic', diagnostic: error, program: 'cleanup' });
    return { status: 'error', error, trace: r.trace };
  }
  return { status: 'found', addresses, trace: r.trace };
}
