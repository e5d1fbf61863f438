/*
 * NAME
 *   addr-find - look an address up in maps with Postfix's search orders (mail_addr_find(3))
 * SYNOPSIS
 *   mailAddrFind(maps, address, options)
 * DESCRIPTION
 *   One address gives several keys, tried in this order as the strategy
 *   allows (each key goes to every table before the next key is tried):
 *     full          user+ext@domain (the only key pattern tables see)
 *     noext         user@domain, when recipient_delimiter split an extension
 *     localpart_if_local     user+ext, user: only when the domain is
 *                   $myorigin or local (mydestination, [inet_interfaces])
 *     localpart_at_if_local  user+ext@, user@: same condition
 *     at_domain     @domain
 *     domain        domain, then parents: `.parent` (pddmds) or `parent` (pdms)
 *     localpart_at  user+ext@, user@ for any domain
 *   The address is in internal (unquoted) form. Keys with a local part are
 *   asked in external (quoted) form first and then, when that differs, as
 *   they are (MA_FORM_EXTERNAL_FIRST, the form every daemon uses). A lookup
 *   error stops the search. The extension is split at the first character
 *   of recipient_delimiter, never for postmaster, MAILER-DAEMON, the
 *   double-bounce user, or (delimiter `-`, owner_request_special) owner-x
 *   and x-request.
 * SEE ALSO
 *   mail_addr_find(3), canonical(5), virtual(5), transport(5), access(5)
 */
import { foldKey } from '../util/casefold.ts';
import type { AddrFindTrace, Diagnostic, MapsTrace } from '../trace/types.ts';
import type { Maps } from './maps.ts';
import { quote822Local, unquote822Local } from './quote.ts';

/** Strategy bits, as MA_FIND_* in mail_addr_find.h. */
export const MA_FIND = {
  FULL: 1 << 0,
  NOEXT: 1 << 1,
  LOCALPART_IF_LOCAL: 1 << 2,
  LOCALPART_AT_IF_LOCAL: 1 << 3,
  AT_DOMAIN: 1 << 4,
  DOMAIN: 1 << 5,
  PDMS: 1 << 6,
  PDDMDS: 1 << 7,
  LOCALPART_AT: 1 << 8,
} as const;
/** MA_FIND_DEFAULT: full, noext, localpart_if_local, at_domain. */
export const MA_FIND_DEFAULT = MA_FIND.FULL | MA_FIND.NOEXT | MA_FIND.LOCALPART_IF_LOCAL | MA_FIND.AT_DOMAIN;

const STRATEGY_NAMES: [number, string][] = [
  [MA_FIND.FULL, 'full'],
  [MA_FIND.NOEXT, 'noext'],
  [MA_FIND.LOCALPART_IF_LOCAL, 'localpart_if_local'],
  [MA_FIND.LOCALPART_AT_IF_LOCAL, 'localpart_at_if_local'],
  [MA_FIND.AT_DOMAIN, 'at_domain'],
  [MA_FIND.DOMAIN, 'domain'],
  [MA_FIND.PDMS, 'pdms'],
  [MA_FIND.PDDMDS, 'pddms'],
  [MA_FIND.LOCALPART_AT, 'localpart_at'],
];

/** How keys are formed: MA_FORM_EXTERNAL_FIRST (daemons) or one form only. */
export type QueryForm = 'external-first' | 'external' | 'internal' | 'internal-first';

/** What mailAddrFind needs besides the maps and the address. */
export interface AddrFindOptions {
  strategy?: number;
  /** recipient_delimiter: a set of characters; empty = no extensions. */
  recipientDelimiter: string;
  /** $myorigin, for localpart_if_local. */
  myorigin?: string;
  /** resolve_local(): 1 local, 0 not, negative on a lookup error. */
  isLocal?: (domain: string) => number;
  queryForm?: QueryForm;
  /** Return the value unquoted (mail_addr_find_to_internal). */
  internalResult?: boolean;
  /** owner_request_special (default yes). */
  ownerRequestSpecial?: boolean;
  /** double_bounce_sender (default double-bounce). */
  doubleBounceSender?: string;
}

/** The answer of mailAddrFind. */
export interface AddrFindResult {
  status: 'found' | 'notfound' | 'error';
  value?: string;
  key?: string;
  /** The extension (with its delimiter) that was stripped to find the value. */
  extension?: string;
  error?: Diagnostic;
  trace: AddrFindTrace;
}

/** splitAddrLocal - split_addr_internal(): [localpart, extension-with-delimiter] or undefined. */
export function splitExtension(
  local: string,
  delimiters: string,
  options: Pick<AddrFindOptions, 'ownerRequestSpecial' | 'doubleBounceSender'> = {},
): [string, string] | undefined {
  if (delimiters === '') return undefined;
  const l = foldKey(local);
  if (l === 'postmaster' || l === 'mailer-daemon' || l === foldKey(options.doubleBounceSender ?? 'double-bounce')) return undefined;
  if (delimiters.includes('-') && (options.ownerRequestSpecial ?? true)) {
    if (l.startsWith('owner-')) return undefined;
    if (l.length - 8 > 0 && l.endsWith('-request')) return undefined;
  }
  let len = 0;
  while (len < local.length && !delimiters.includes(local[len]!)) len++;
  if (len === 0 || len === local.length) return undefined;
  return [local.slice(0, len), local.slice(len)];
}

/** stripExtension - strip_addr_internal(): the address without extension, and the extension. */
export function stripExtension(
  address: string,
  delimiters: string,
  options: Pick<AddrFindOptions, 'ownerRequestSpecial' | 'doubleBounceSender'> = {},
): [string, string] | undefined {
  if (delimiters === '' || ![...address].some((c) => delimiters.includes(c))) return undefined;
  const at = address.lastIndexOf('@');
  const local = at >= 0 ? address.slice(0, at) : address;
  const split = splitExtension(local, delimiters, options);
  if (!split) return undefined;
  return [split[0] + (at >= 0 ? address.slice(at) : ''), split[1]];
}

/** mailAddrFind - mail_addr_find_opt() with internal-form input. */
export function mailAddrFind(maps: Maps, address: string, options: AddrFindOptions): AddrFindResult {
  const strategy = options.strategy ?? MA_FIND_DEFAULT;
  const form = options.queryForm ?? 'external-first';
  const keys: MapsTrace[] = [];
  const trace: AddrFindTrace = {
    maps: maps.title,
    address,
    strategy: STRATEGY_NAMES.filter(([bit]) => strategy & bit).map(([, n]) => n),
    keys,
    status: 'notfound',
  };
  let error: Diagnostic | undefined;

  const ask = (key: string, partial: boolean): string | undefined => {
    const r = maps.find(key, partial);
    if (key !== '') keys.push(r.trace);
    if (r.status === 'error') error = r.error ?? { severity: 'warning', message: `${maps.title} lookup failure` };
    if (r.status === 'found') {
      trace.key = key;
      return r.value;
    }
    return undefined;
  };
  /** find_addr(): one key in the configured query form. */
  const findAddr = (key: string, partial: boolean, withDomain: boolean): string | undefined => {
    const quoted = (): string => quote822Local(key, { bareLocalpart: !withDomain });
    switch (form) {
      case 'external':
        return ask(quoted(), partial);
      case 'internal':
        return ask(key, partial);
      case 'external-first': {
        const ext = quoted();
        const v = ask(ext, partial);
        if (v !== undefined || error || ext === key) return v;
        return ask(key, partial);
      }
      case 'internal-first': {
        const v = ask(key, partial);
        if (v !== undefined || error) return v;
        const ext = quoted();
        return ext === key ? undefined : ask(ext, partial);
      }
    }
  };

  const full = address;
  const stripped = strategy & MA_FIND.NOEXT ? stripExtension(full, options.recipientDelimiter, options) : undefined;
  const bare = stripped?.[0];
  let extension: string | undefined;
  let result: string | undefined;

  /** find_local(): localpart keys, `offs` 1 keeps the `@`. */
  const findLocal = (offs: 0 | 1): string | undefined => {
    const at = full.lastIndexOf('@');
    const v = findAddr(full.slice(0, at + offs), true, offs === 1);
    if (v !== undefined || error || bare === undefined) return v;
    const bat = bare.lastIndexOf('@');
    const w = findAddr(bare.slice(0, bat + offs), true, offs === 1);
    if (w !== undefined) extension = stripped![1];
    return w;
  };

  if (strategy & MA_FIND.FULL) result = findAddr(full, false, true);
  if (result === undefined && !error && bare !== undefined) {
    result = findAddr(bare, true, true);
    if (result !== undefined) extension = stripped![1];
  }
  const at = full.lastIndexOf('@');
  const domain = at >= 0 ? full.slice(at + 1) : undefined;
  if (result === undefined && !error && domain !== undefined && strategy & (MA_FIND.LOCALPART_IF_LOCAL | MA_FIND.LOCALPART_AT_IF_LOCAL)) {
    const rc = foldKey(domain) === foldKey(options.myorigin ?? '') && options.myorigin ? 1 : (options.isLocal?.(domain) ?? 0);
    if (rc > 0) {
      if (strategy & MA_FIND.LOCALPART_IF_LOCAL) result = findLocal(0);
      if (result === undefined && !error && strategy & MA_FIND.LOCALPART_AT_IF_LOCAL) result = findLocal(1);
    } else if (rc < 0) error = { severity: 'warning', message: 'mydestination lookup failure' };
  }
  if (result === undefined && !error && domain !== undefined && strategy & MA_FIND.AT_DOMAIN) result = ask('@' + domain, true);
  if (result === undefined && !error && domain !== undefined && strategy & MA_FIND.DOMAIN) {
    for (let name = 0; name < domain.length;) {
      result = ask(domain.slice(name), true);
      if (result !== undefined || error || !(strategy & (MA_FIND.PDMS | MA_FIND.PDDMDS))) break;
      const next = domain.indexOf('.', name + 1);
      if (next < 0) break;
      name = strategy & MA_FIND.PDDMDS ? next : next + 1;
    }
  }
  if (result === undefined && !error && domain !== undefined && strategy & MA_FIND.LOCALPART_AT) result = findLocal(1);

  if (error) {
    trace.status = 'error';
    delete trace.key;
    return { status: 'error', error, trace };
  }
  if (result === undefined) return { status: 'notfound', trace };
  const value = options.internalResult ? unquote822Local(result) : result;
  trace.status = 'found';
  trace.value = value;
  if (extension !== undefined) trace.extension = extension;
  return { status: 'found', value, key: trace.key!, ...(extension !== undefined && { extension }), trace };
}
