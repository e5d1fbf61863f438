/*
 * NAME
 *   smtpd/restrictions/checker - the configuration and session one restriction evaluation works on
 * DESCRIPTION
 *   SmtpdConfig is what smtpd_check_init() prepares once per service: the
 *   parsed restriction lists and classes, the access tables, the match
 *   lists and the reply codes. Checker joins it with the session state, the
 *   log and the trace, and gives the restriction code its small vocabulary
 *   (reject, defer, log, record a step, evaluate a nested list).
 *
 *   The nested list (a restriction class, or restrictions an access table
 *   answers with) goes back to generic_checks(); the Checker carries that
 *   evaluator, so the restriction handlers never import the loop that
 *   calls them.
 * SEE ALSO
 *   postconf(5) (smtpd_*_restrictions, smtpd_restriction_classes)
 */
import type { ParameterView } from '../../config/maincf.ts';
import type { ParamName } from '../../config/names.ts';
import type { Diagnostic, SmtpdEvent } from '../../trace/types.ts';
import type { AccessMaps, MatchList, SmtpdResolver } from './deps.ts';
import type { DnsFacts } from '../../dns/facts.ts';
import type { OutsideFacts } from '../facts/outside.ts';
import type { ErrorClass, SessionState } from '../state.ts';
import type { TlsPolicy } from '../tls-sasl.ts';
import { smtpdDsnFix } from '../../mail/dsn.ts';
import { CHECK_DUNNO, deferIf, deferIfPermit, smtpdCheckReject } from './reject.ts';
import type { RejectContext, Rejecter } from './reject.ts';

/** The restriction lists, by the stage that evaluates them. */
export interface RestrictionLists {
  client: string[];
  helo: string[];
  sender: string[];
  relay: string[];
  recipient: string[];
  etrn: string[];
  data: string[];
  eod: string[];
  /** Evaluated instead of `relay` to warn under legacy compatibility (FAKE_RELAY_CHECKS). */
  fakeRelay: string[];
}

/** What smtpd_check_init() prepares for one service. */
export interface SmtpdConfig {
  params: ParameterView;
  service: string;
  lists: RestrictionLists;
  classes: ReadonlyMap<string, string[]>;
  /** Access tables by their `type:name` (map_command_table). */
  maps: ReadonlyMap<string, AccessMaps>;
  mynetworks: MatchList;
  relayDomains: MatchList;
  xclientHosts: MatchList;
  permMxNetworks: MatchList;
  /** Domains the flush service serves for ETRN. */
  fastFlushDomains: MatchList;
  /** Clients that may use XVERP (smtpd_authorized_verp_clients). */
  verpClients: MatchList;
  /** Clients not offered AUTH (smtpd_sasl_exceptions_networks). */
  saslExceptions: MatchList;
  /** STARTTLS offered or required, AUTH only with TLS, a server certificate (settled at start-up). */
  tls: TlsPolicy;
  /** Recipient validation and related tables; undefined when the parameter is empty. */
  rcptMaps: {
    local?: AccessMaps;
    virtualAlias?: AccessMaps;
    virtualMailbox?: AccessMaps;
    relay?: AccessMaps;
    canonical?: AccessMaps;
    senderCanonical?: AccessMaps;
    recipientCanonical?: AccessMaps;
  };
  senderLoginMaps?: AccessMaps;
  /** smtpd_milter_maps: the Milters per client address. */
  milterMaps?: AccessMaps;
  /** smtpd_command_filter: replaces a whole command line before smtpd parses it. */
  commandFilter?: AccessMaps;
  rblReplyMaps?: AccessMaps;
  relayClientCerts?: AccessMaps;
  /** smtpd_access_maps is listed in parent_domain_matches_subdomains. */
  accessParentStyle: boolean;
  int(name: ParamName): number;
  bool(name: ParamName): boolean;
  str(name: ParamName): string;
  /** Which legacy defaults are in effect (warn_compat_* of mail_params.c). */
  compat: {
    relayRestrictions: boolean;
    relayBeforeRcpt: boolean;
    relayDomains: boolean;
    mynetworksStyle: boolean;
    tlsFingerprintDigest: boolean;
    /** smtputf8_enable = no by default (compatibility_level below 1): non-ASCII senders are logged. */
    smtputf8Enable: boolean;
  };
  /** unknown_*_tempfail_action etc.: true for `defer` (reject at once), false for `defer_if_permit`. */
  tempfailDeferNow: { unknownName: boolean; unknownAddr: boolean; unverifiedRcpt: boolean; unverifiedFrom: boolean };
  resolver: SmtpdResolver;
  /** resolve_class(): RESOLVE_CLASS_* of a domain, negative on a lookup error. */
  resolveClass?: (domain: string) => number;
  /** cleanup(8) for one envelope: how it refuses the message for now (alias limits, a lookup error), if it does. */
  cleanup?: (sender: string, recipient: string) => 'defer' | 'write' | undefined;
  dns: DnsFacts;
  facts: OutsideFacts;
  /** Diagnostics Postfix logs when smtpd starts (table open warnings, ...). */
  startup: Diagnostic[];
  /** A start-up fatal error: smtpd exits and the client sees its connection close. */
  fatal?: Diagnostic;
  /** smtpd dies at start-up (signal 11): why. */
  crash?: string;
  /** What smtpd logs right after "connect from" before it exits (e.g. no SASL mechanisms). */
  connectFatal?: Diagnostic[];
}

/** generic_checks(): evaluate a restriction list for `replyName` of `replyClass`. */
export type GenericChecks = (c: Checker, restrictions: readonly string[], replyName: string, replyClass: string, defAcl: string | undefined) => number;

/** The evaluation context of restriction code. */
export class Checker implements RejectContext, Rejecter {
  private stack: SmtpdEvent[][];
  constructor(
    readonly cfg: SmtpdConfig,
    readonly state: SessionState,
    private readonly generic: GenericChecks,
    /** Record trace steps; without it only replies and log lines are produced (faster). */
    readonly tracing = true,
  ) {
    this.stack = [state.trace];
  }

  /** genericChecks - evaluate a nested restriction list (a class, an access table's answer). */
  genericChecks(restrictions: readonly string[], replyName: string, replyClass: string, defAcl: string | undefined): number {
    return this.generic(this, restrictions, replyName, replyClass, defAcl);
  }

  get softBounce(): boolean {
    return this.cfg.bool('soft_bounce');
  }
  get smtputf8(): boolean {
    return this.cfg.bool('smtputf8_enable');
  }

  info(text: string): void {
    this.state.log.push({ program: `${this.cfg.str('syslog_name') || 'postfix'}/smtpd`, text });
  }
  warn(text: string): void {
    this.info(`warning: ${text}`);
  }

  /** Record a trace step; `fn` runs with its children collected under it. */
  step<T>(node: SmtpdEvent, fn?: () => T): T | undefined {
    if (!this.tracing) return fn?.();
    if (!fn) {
      this.stack[this.stack.length - 1]!.push(node);
      return undefined;
    }
    this.enter(node);
    try {
      return fn();
    } finally {
      this.leave(node);
    }
  }

  /**
   * enter - record `node`; what is recorded until leave(node) are its
   * children. Without a closure, so that deeply nested restriction classes
   * cost the stack as little as they do in smtpd.
   */
  enter(node: SmtpdEvent): void {
    if (!this.tracing) return;
    this.stack[this.stack.length - 1]!.push(node);
    this.stack.push([]);
  }

  /** leave - the end of enter(node): its children are attached when there are some. */
  leave(node: SmtpdEvent): void {
    if (!this.tracing) return;
    const children = this.stack.pop()!;
    // No `delete` when there are none: it slows objects down.
    if (children.length) node.children = children;
  }

  /** smtpd_dsn_fix(): the DSN status `replyClass` allows, logged when it changes. */
  dsnFix(dsn: string, replyClass: string): string {
    const f = smtpdDsnFix(dsn, replyClass);
    if (f.info) this.info(f.info);
    return f.status;
  }

  reject(errorClass: ErrorClass, code: number, dsn: string, text: string): number {
    return smtpdCheckReject(this.state, this, errorClass, code, dsn, text);
  }
  deferIfReject(errorClass: ErrorClass, code: number, dsn: string, text: string): number {
    return deferIf(this.state.deferIfReject, errorClass, code, dsn, text);
  }
  deferIfPermit(deferNow: boolean, errorClass: ErrorClass, code: number, dsn: string, text: string): number {
    return deferIfPermit(this.state, this, deferNow, errorClass, code, dsn, text);
  }
  dunno(): number {
    return CHECK_DUNNO;
  }
}
