/*
 * NAME
 *   smtpd/restrictions/types - what one entry of the restriction table is
 * DESCRIPTION
 *   The restriction table maps Postfix's restriction name to its handler.
 *   An entry says what follows the name in the list (a `type:table`, an
 *   RBL domain, a policy server, a number), so that generic_checks() checks
 *   and consumes the argument for all of them in one place, and gives the
 *   handler the session state through the Checker. An AccessQuery is what
 *   the access table searches pass around: the table, and the wording of
 *   a rejection from it.
 * SEE ALSO
 *   postconf(5) (smtpd_*_restrictions)
 */
import type { Checker } from './checker.ts';

/**
 * What a restriction takes after its name, and what a missing or bad one does:
 * - `table`: `type:table` (is_map_command()); otherwise "bad argument ... need
 *   maptype:mapname" and 451 4.3.5 Server configuration error.
 * - `domain`: a DNS list domain; a missing one is warned about and the
 *   restriction does nothing.
 * - `server`: check_policy_service's `transport:server`; otherwise a server
 *   configuration error.
 * - `number`: sleep's seconds; otherwise a server configuration error.
 */
export type ArgumentKind = 'table' | 'domain' | 'server' | 'number';

/** What a handler is called with. */
export interface RestrictionCall {
  /** The name as written in the list. */
  name: string;
  /** The checked argument; '' for a restriction without one. */
  arg: string;
  /** The list element after the restriction (and its argument), for "... is ignored" warnings. */
  following: string | undefined;
  replyName: string;
  replyClass: string;
  /** The stage's own access restriction (check_client_access, ...), for bare `type:table` entries. */
  defAcl: string | undefined;
}

/** One restriction: its argument and its handler, which returns an SMTPD_CHECK_* status. */
export interface RestrictionEntry {
  arg?: ArgumentKind;
  check(c: Checker, call: RestrictionCall): number;
}

/** A family of restrictions (one file), keyed by Postfix's lower-case name. */
export type RestrictionFamily = Readonly<Record<string, RestrictionEntry>>;

/** Which access table a restriction searches, and how a rejection from it is worded. */
export interface AccessQuery {
  /** The table as the restriction names it (`type:name`). */
  table: string;
  replyName: string;
  replyClass: string;
  /** The stage's own access restriction, for restrictions a table answers with. */
  defAcl: string | undefined;
}
