/*
 * NAME
 *   pipeline - an address from submission to its delivery agents (cleanup, qmgr, agents)
 * DESCRIPTION
 *   What happens to (sender, recipient) as `sendmail -bv` shows it:
 *   cleanup(8) rewrites both to standard form (local context), applies
 *   sender_/recipient_canonical_maps then canonical_maps (per
 *   *_canonical_classes), masquerading (masquerade_classes) and, for the
 *   recipient, virtual alias expansion; the null sender stays null and
 *   MAILER-DAEMON@$myorigin becomes null. qmgr(8) resolves each resulting
 *   recipient (trivial-rewrite) and hands it to the transport's agent:
 *   local(8) expands aliases, virtual(8) finds the mailbox, error(8)
 *   bounces, pipe(8) runs a command, smtp(8) needs the network. Each
 *   agent report becomes one final recipient.
 * SEE ALSO
 *   cleanup(8), qmgr(8), ADDRESS_REWRITING_README
 */
import { quote822Local } from '../search/quote.ts';
import { foldKey } from '../util/casefold.ts';
import type { AddressClass, AddressEvent, Diagnostic } from '../trace/types.ts';
import type { Agent } from './agents.ts';
import type { CleanupOutcome, CleanupSettings, CleanupStatus } from './cleanup.ts';
import type { MilterFacts } from '../mail/milter.ts';
import { cleanupMilters } from './milters.ts';
import { canonicalMap, masquerade, virtualExpand } from './cleanup.ts';
import type { VirtualEnvironment } from './delivery.ts';
import { otherAgent, virtualDeliver } from './delivery.ts';
import type { AgentReport, DeliveryTarget, LocalEnvironment } from './local-agent.ts';
import { localDeliver } from './local-agent.ts';
import type { ResolveReply, ResolveState } from './resolve.ts';
import { RESOLVE, resolveAddr, warningsOf } from './resolve.ts';
import { rewriteInternal } from './rewrite.ts';
import type { Maps } from '../search/maps.ts';
import type { MatchList } from '../search/match-list.ts';

/** One final recipient: what one delivery agent would report. */
export interface FinalRecipient {
  /** Internal form. */
  recipient: string;
  /** As the mail log shows it (external form). */
  to: string;
  /** The original recipient as the log shows it, when it differs. */
  origTo?: string;
  class: AddressClass;
  transport: string;
  nexthop: string;
  flags: number;
  agent: string;
  relay: string;
  dsn: string;
  status: AgentReport['status'];
  text: string;
  target?: DeliveryTarget;
}

/** The whole pipeline for one address. */
export interface DeliveryResult {
  /** The address as given (internal form). */
  address: string;
  /** The envelope sender after cleanup. */
  sender: string;
  /** The recipient after cleanup's rewriting, before virtual alias expansion. */
  rewritten: string;
  /** After virtual alias expansion. */
  expanded: string[];
  final: FinalRecipient[];
  /** cleanup would not accept the message (try again later). */
  defer?: Diagnostic;
  /** How cleanup refuses it, as smtpd reports it at the end of DATA. */
  cleanupStatus?: CleanupStatus;
  /** cleanup put the message in the hold queue (a Milter's quarantine). */
  held?: true;
  /** cleanup dropped the message (a Milter's discard). */
  discarded?: true;
  warnings: Diagnostic[];
  /**
   * The same, with the program that logs each (cleanup, trivial-rewrite,
   * local, virtual, ...); `unattached` when it is not logged with the
   * message's queue id (cleanup's warning about a Milter it cannot reach).
   */
  logged: { program: string; diagnostic: Diagnostic; unattached?: true }[];
  trace: AddressEvent[];
}

/** Everything the pipeline reads, opened. */
export interface PipelineState {
  resolve: ResolveState;
  cleanup: CleanupSettings;
  canonical?: Maps;
  senderCanonical?: Maps;
  recipientCanonical?: Maps;
  /** [canonical_classes, sender_canonical_classes, recipient_canonical_classes] as sets. */
  canonClasses: ReadonlySet<string>;
  senderCanonClasses: ReadonlySet<string>;
  recipientCanonClasses: ReadonlySet<string>;
  masqDomains: readonly string[];
  masqExceptions?: MatchList;
  masqClasses: ReadonlySet<string>;
  virtualAlias?: Maps;
  propagate: ReadonlySet<string>;
  emptyAddressRecipient: string;
  myorigin: string;
  agents: Readonly<Record<string, Agent>>;
  local: Omit<LocalEnvironment, 'resolve' | 'pass'>;
  virtual: VirtualEnvironment;
  /** non_smtpd_milters, which cleanup asks about locally submitted mail, and what they decide. */
  milters: { spec: string; defaultAction: string; softBounce: boolean; facts: MilterFacts };
}

const ENV_FROM = 'envelope_sender';
const ENV_RCPT = 'envelope_recipient';
const HDR_FROM = 'header_sender';
const HDR_RCPT = 'header_recipient';

/**
 * cleanMapped - cleanup's mapping of one envelope address of class `cls`:
 * the sender_ or recipient_canonical_maps (`own`), canonical_maps, then
 * masquerading, each when its *_classes name `cls`. Same order for both.
 */
function cleanMapped(
  st: PipelineState,
  address: string,
  cls: typeof ENV_FROM | typeof ENV_RCPT | typeof HDR_FROM | typeof HDR_RCPT,
  own: { maps?: Maps; classes: ReadonlySet<string> },
  events: AddressEvent[],
  defer: (r: CleanupOutcome) => void,
): string {
  let a = address;
  const prop = st.propagate.has('canonical');
  for (const [maps, classes] of [
    [own.maps, own.classes],
    [st.canonical, st.canonClasses],
  ] as const) {
    if (!maps || !classes.has(cls)) continue;
    const r = canonicalMap(maps, a, prop, st.cleanup, events);
    a = r.addresses[0]!;
    defer(r);
  }
  if (st.masqDomains.length && st.masqClasses.has(cls)) {
    const r = masquerade(a, st.masqDomains, st.masqExceptions, events);
    a = r.addresses[0]!;
    defer(r);
  }
  return a;
}

/** cleanSender - cleanup_addr_sender(). */
function cleanSender(st: PipelineState, sender: string, events: AddressEvent[], defer: (r: CleanupOutcome) => void): string {
  let a = rewriteInternal('local', sender, st.resolve.rewrite, events);
  if (foldKey(a).startsWith('mailer-daemon@')) {
    const md = rewriteInternal('local', 'MAILER-DAEMON', st.resolve.rewrite, []);
    if (foldKey(a) === foldKey(md)) a = '';
  }
  return cleanMapped(st, a, ENV_FROM, { maps: st.senderCanonical, classes: st.senderCanonClasses }, events, defer);
}

/** What cleanup makes of one (sender, recipient) before qmgr sees it. */
export interface CleanupResult {
  /** The envelope sender after cleanup. */
  sender: string;
  /** The recipient after cleanup's rewriting, before virtual alias expansion. */
  rewritten: string;
  /** After virtual alias expansion and cleanup's duplicate filter. */
  expanded: string[];
  /** cleanup would not accept the message (try again later), and how. */
  defer?: Diagnostic;
  status?: CleanupStatus;
}

/**
 * cleanupAddresses - cleanup(8)'s envelope processing of (sender, recipient),
 * both in internal form; `trace` gets its events. With `probe`, the message
 * is sendmail -bv's probe, whose From: and To: headers carry the sender and
 * the recipient: cleanup rewrites them too (header_sender, header_recipient
 * classes), which shows only in what it logs.
 */
export function cleanupAddresses(st: PipelineState, sender: string, address: string, trace: AddressEvent[], probe = false): CleanupResult {
  let deferred: CleanupOutcome | undefined;
  const defer = (r: CleanupOutcome): void => void (r.defer && (deferred ??= r));
  const from = cleanSender(st, sender, trace, defer);
  const internal = rewriteInternal('local', address === '' ? st.emptyAddressRecipient : address, st.resolve.rewrite, trace);
  const rcpt = cleanMapped(st, internal, ENV_RCPT, { maps: st.recipientCanonical, classes: st.recipientCanonClasses }, trace, defer);
  let expanded = [rcpt];
  if (st.virtualAlias) {
    const r = virtualExpand(st.virtualAlias, rcpt, st.propagate.has('virtual'), st.cleanup, trace);
    expanded = r.addresses;
    defer(r);
  }
  // cleanup's duplicate filter (case-insensitive).
  const seen = new Set<string>();
  expanded = expanded.filter((a) => !seen.has(foldKey(a)) && seen.add(foldKey(a)));
  if (probe) {
    if (sender !== '')
      cleanMapped(
        st,
        rewriteInternal('local', sender, st.resolve.rewrite, []),
        HDR_FROM,
        { maps: st.senderCanonical, classes: st.senderCanonClasses },
        trace,
        defer,
      );
    if (address !== '')
      cleanMapped(
        st,
        rewriteInternal('local', address, st.resolve.rewrite, []),
        HDR_RCPT,
        { maps: st.recipientCanonical, classes: st.recipientCanonClasses },
        trace,
        defer,
      );
  }
  const d = deferred as CleanupOutcome | undefined;
  return { sender: from, rewritten: rcpt, expanded, ...(d?.defer && { defer: d.defer, status: d.status ?? 'write' }) };
}

/**
 * resolveDelivery - the pipeline for one (sender, recipient), both in internal
 * form; `probe`: as sendmail -bv submits it; `delivered`: the message's
 * Delivered-To: addresses, which local(8) checks for loops (the probe has none).
 */
export function resolveDelivery(st: PipelineState, sender: string, address: string, probe = true, delivered?: ReadonlySet<string>): DeliveryResult {
  const trace: AddressEvent[] = [];
  const logged: DeliveryResult['logged'] = [];
  let mark = 0;
  /** Attribute what the events since the last call logged: table warnings to `program`. */
  const stage = (program: string): void => {
    for (const e of trace.slice(mark))
      for (const diagnostic of warningsOf([e])) logged.push({ program: e.kind === 'diagnostic' ? (e.program ?? 'trivial-rewrite') : program, diagnostic });
    mark = trace.length;
  };
  const cleaned = cleanupAddresses(st, sender, address, trace, probe);
  const { sender: from, rewritten: rcpt, expanded } = cleaned;
  const final: FinalRecipient[] = [];
  const base = { address, sender: from, rewritten: rcpt, expanded, final, trace, logged };
  stage('cleanup');
  // A local submission meets non_smtpd_milters in cleanup, in an emulated SMTP session.
  const m = probe
    ? cleanupMilters(
        st.milters.spec,
        st.milters.defaultAction,
        st.milters.facts,
        st.milters.softBounce,
        from,
        rcpt,
        {
          info: (message) => void logged.push({ program: 'cleanup', diagnostic: { severity: 'info', message } }),
          warn: (message) => void logged.push({ program: 'cleanup', diagnostic: { severity: 'warning', message } }),
          unattached: (message) => void logged.push({ program: 'cleanup', diagnostic: { severity: 'warning', message }, unattached: true }),
        },
        trace,
        cleaned.defer !== undefined,
      )
    : {};
  mark = trace.length;
  if (m.discard) return { ...base, discarded: true, warnings: warningsOf(trace) };
  if (m.defer) return { ...base, defer: m.defer, warnings: warningsOf(trace) };
  if (m.bounce && !cleaned.defer) {
    // cleanup bounces a local submission that a Milter rejects, recipient by recipient.
    for (const a of expanded) {
      const r = resolveAddr(st.resolve, from, a);
      final.push({
        recipient: a,
        to: quote822Local(a),
        ...(foldKey(address) !== foldKey(a) && { origTo: quote822Local(address) }),
        class: r.class,
        transport: r.transport,
        nexthop: r.nexthop,
        flags: r.flags,
        agent: 'postfix/cleanup',
        relay: 'none',
        dsn: m.bounce.dsn,
        status: 'bounced',
        text: m.bounce.text,
      });
    }
    return { ...base, warnings: warningsOf(trace) };
  }
  if (m.hold && !cleaned.defer) return { ...base, held: true, warnings: warningsOf(trace) };
  if (cleaned.defer) return { ...base, defer: cleaned.defer, cleanupStatus: cleaned.status!, warnings: warningsOf(trace) };

  const resolveOf = (a: string): ResolveReply => resolveAddr(st.resolve, from, a);
  for (const a of expanded) {
    const r = resolveOf(a);
    trace.push(...r.trace);
    stage('trivial-rewrite');
    const reports: AgentReport[] = [];
    // qmgr redirects what trivial-rewrite could not resolve to the retry and error transports.
    if (r.flags & RESOLVE.FLAG_FAIL) reports.push(otherAgent({ command: 'error' }, 'retry', '4.3.0 address resolver failure', r.recipient, address));
    else if (r.flags & RESOLVE.FLAG_ERROR) reports.push(otherAgent({ command: 'error' }, 'error', '5.1.3 bad address syntax', r.recipient, address));
    else if (!st.agents[r.transport]) {
      trace.push({
        kind: 'diagnostic',
        program: 'qmgr',
        diagnostic: { severity: 'warning', message: `connect to transport private/${r.transport}: No such file or directory` },
      });
      stage('qmgr');
      reports.push(otherAgent({ command: 'error' }, 'retry', '4.3.0 mail transport unavailable', r.recipient, address));
    } else {
      const agent = st.agents[r.transport];
      if (agent?.command === 'local') {
        const env: LocalEnvironment = {
          ...st.local,
          ...(delivered && { delivered }),
          resolve: (text) => {
            const rr = resolveAddr(st.resolve, '', rewriteInternal('local', text, st.resolve.rewrite, trace));
            return { transport: rr.transport, recipient: rr.recipient, flags: rr.flags };
          },
          pass: (transport, nexthop, rcpt, origTo) =>
            st.agents[transport]?.command === 'virtual'
              ? virtualDeliver(st.virtual, rcpt, origTo, transport, trace)
              : st.agents[transport]
                ? otherAgent(st.agents[transport], transport, nexthop, rcpt, origTo)
                : otherAgent({ command: 'error' }, 'retry', '4.3.0 mail transport unavailable', rcpt, origTo),
        };
        localDeliver(env, r.recipient, address, r.transport, reports, trace);
        stage('local');
      } else if (agent?.command === 'virtual') {
        reports.push(virtualDeliver(st.virtual, r.recipient, address, r.transport, trace));
        stage('virtual');
      } else reports.push(otherAgent(agent, r.transport, r.nexthop, r.recipient, address));
    }
    for (const rep of reports) {
      const rr = rep.to === r.recipient ? r : resolveOf(rep.to);
      final.push({
        recipient: rep.to,
        to: quote822Local(rep.to),
        ...(rep.origTo !== '' && foldKey(rep.origTo) !== foldKey(rep.to) && { origTo: quote822Local(rep.origTo) }),
        class: rr.class,
        transport: rr.transport,
        nexthop: rr.nexthop,
        flags: rr.flags,
        agent: rep.agent,
        relay: rep.relay,
        dsn: rep.dsn,
        status: rep.status,
        text: rep.text,
        ...(rep.target && { target: rep.target }),
      });
    }
  }
  return { ...base, warnings: warningsOf(trace) };
}
