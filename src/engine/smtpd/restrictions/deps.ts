/*
 * NAME
 *   smtpd/restrictions/deps - what the smtpd simulation needs from tables, lists and the resolver
 * DESCRIPTION
 *   The few operations smtpd's checks use, stated once so the restriction
 *   code reads like smtpd_check.c and stays independent of how the search
 *   and resolve modules are built.
 * SEE ALSO
 *   maps(3), mail_addr_find(3), trivial-rewrite(8)
 */
import type { Diagnostic, LookupTrace, MatchListTrace } from '../../trace/types.ts';
import { MA_FIND, MA_FIND_DEFAULT } from '../../search/addr-find.ts';
import { RESOLVE, RESOLVE_CLASS_FINAL } from '../../resolve/resolve.ts';

/** The outcome of a search in a list of tables (maps_find). */
export interface MapsAnswer {
  status: 'found' | 'notfound' | 'error';
  value?: string;
  /** The key that found the value (for address searches, which key of the search order). */
  key?: string;
  /** Every table lookup made, in order. */
  lookups: LookupTrace[];
  /** What the tables logged while answering (an unavailable table, a lookup error). */
  warnings?: Diagnostic[];
  error?: Diagnostic;
}

/** A list of tables searched in order (maps(3)). */
export interface AccessMaps {
  readonly spec: string;
  /** maps_find; `partial` is DICT_FLAG_FIXED: pattern tables are skipped. */
  find(key: string, partial: boolean): MapsAnswer;
}

/** mail_addr_find strategies (MA_FIND_*), named once in search/addr-find.ts. */
export const MA_FIND_FULL = MA_FIND.FULL;
export const MA_FIND_NOEXT = MA_FIND.NOEXT;
export const MA_FIND_DOMAIN = MA_FIND.DOMAIN;
export const MA_FIND_PDMS = MA_FIND.PDMS;
export const MA_FIND_PDDMDS = MA_FIND.PDDMDS;
export const MA_FIND_LOCALPART_AT = MA_FIND.LOCALPART_AT;
export { MA_FIND_DEFAULT };

/** A match list (namadr_list, domain_list, string_list). */
export interface MatchList {
  match(...args: string[]): { matched: boolean; error?: Diagnostic; trace?: MatchListTrace };
}

/** RESOLVE_FLAG_* and RESOLVE_CLASS_* bits, named once in resolve/resolve.ts. */
export const RESOLVE_FLAG_ROUTED = RESOLVE.FLAG_ROUTED;
export const RESOLVE_FLAG_ERROR = RESOLVE.FLAG_ERROR;
export const RESOLVE_FLAG_FAIL = RESOLVE.FLAG_FAIL;
export const RESOLVE_CLASS_LOCAL = RESOLVE.CLASS_LOCAL;
export const RESOLVE_CLASS_ALIAS = RESOLVE.CLASS_ALIAS;
export const RESOLVE_CLASS_VIRTUAL = RESOLVE.CLASS_VIRTUAL;
export const RESOLVE_CLASS_RELAY = RESOLVE.CLASS_RELAY;
export const RESOLVE_CLASS_MASK = RESOLVE.CLASS_LOCAL | RESOLVE.CLASS_ALIAS | RESOLVE.CLASS_VIRTUAL | RESOLVE.CLASS_RELAY | RESOLVE.CLASS_DEFAULT;
export { RESOLVE_CLASS_FINAL };

/** trivial-rewrite's answer to smtpd (after smtpd lowercases the recipient). */
export interface ResolveAnswer {
  transport: string;
  nexthop: string;
  recipient: string;
  flags: number;
  /** Postfix's warnings while resolving (e.g. a domain in two classes). */
  warnings: Diagnostic[];
  trace?: unknown;
}

/** The resolver and address search smtpd uses. */
export interface SmtpdResolver {
  /** smtpd_resolve_addr: rewrite sender and address in the local context, resolve, casefold. */
  resolve(sender: string, address: string): ResolveAnswer;
  /** mail_addr_find_strategy over `maps`. */
  addrFind(maps: AccessMaps, address: string, strategy: number): MapsAnswer;
}
