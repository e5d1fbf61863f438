/*
 * NAME
 *   smtpd/deps - what the smtpd simulation needs from tables, lists and the resolver
 * DESCRIPTION
 *   The few operations smtpd's checks use, stated once so the restriction
 *   code reads like smtpd_check.c and stays independent of how the search
 *   and resolve modules are built.
 */
import type { Diagnostic, LookupTrace } from '../trace/types.ts';

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

/** mail_addr_find strategies (MA_FIND_*). */
export const MA_FIND_FULL = 1 << 0;
export const MA_FIND_NOEXT = 1 << 1;
export const MA_FIND_LOCALPART_IF_LOCAL = 1 << 2;
export const MA_FIND_LOCALPART_AT_IF_LOCAL = 1 << 3;
export const MA_FIND_AT_DOMAIN = 1 << 4;
export const MA_FIND_DOMAIN = 1 << 5;
export const MA_FIND_PDMS = 1 << 6;
export const MA_FIND_PDDMDS = 1 << 7;
export const MA_FIND_LOCALPART_AT = 1 << 8;
export const MA_FIND_DEFAULT = MA_FIND_FULL | MA_FIND_NOEXT | MA_FIND_LOCALPART_IF_LOCAL | MA_FIND_AT_DOMAIN;

/** A match list (namadr_list, domain_list, string_list). */
export interface MatchList {
  match(...args: string[]): { matched: boolean; error?: Diagnostic; lookups?: LookupTrace[] };
}

/** RESOLVE_FLAG_* and RESOLVE_CLASS_* bits. */
export const RESOLVE_FLAG_FINAL = 1 << 0;
export const RESOLVE_FLAG_ROUTED = 1 << 1;
export const RESOLVE_FLAG_ERROR = 1 << 2;
export const RESOLVE_FLAG_FAIL = 1 << 3;
export const RESOLVE_CLASS_LOCAL = 1 << 8;
export const RESOLVE_CLASS_ALIAS = 1 << 9;
export const RESOLVE_CLASS_VIRTUAL = 1 << 10;
export const RESOLVE_CLASS_RELAY = 1 << 11;
export const RESOLVE_CLASS_DEFAULT = 1 << 12;
export const RESOLVE_CLASS_FINAL = RESOLVE_CLASS_LOCAL | RESOLVE_CLASS_ALIAS | RESOLVE_CLASS_VIRTUAL;
export const RESOLVE_CLASS_MASK = RESOLVE_CLASS_FINAL | RESOLVE_CLASS_RELAY | RESOLVE_CLASS_DEFAULT;

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
