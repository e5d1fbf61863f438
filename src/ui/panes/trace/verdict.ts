/*
 * NAME
 *   verdict - the colour of a step: what it decided, never whether a key was found
 * DESCRIPTION
 *   Read from the typed trace: a command by its reply code (5xx reject,
 *   4xx defer, 2xx/3xx permit; a crash defers); a restriction list or a restriction by its
 *   verdict (REJECT with a 4xx reply defers); an access table action by
 *   its effect (reject, DEFER or 4NN defers; DISCARD rejects; HOLD and
 *   DEFER_IF_* defer; OK, RELAY permit); the note that turns a permit into
 *   a deferral is amber. Everything else describes rather than decides
 *   (lookups, whatever they found; classes, resolver answers, DNS, facts)
 *   and is neutral: a table that has the key is neutral, the action its
 *   value names has the colour.
 *
 *   decisivePath marks the steps that decided a command: in each event
 *   the last child that decided something (restrictions stop at the first
 *   decision, so the last one evaluated is it), down to the action and
 *   the lookup whose value named it.
 *
 *   postscreen's events take the same colours: a connection by its
 *   verdict (handed over: permit; refused by a test or the access list:
 *   reject; passed but told to come back, or a limit: defer), a test by its
 *   result and action, a DNSBL site by the sign of the weight it added.
 *   postscreenDecisive marks what decided each connection.
 */
import type { PostscreenAction, PostscreenEvent, PostscreenVerdict, SmtpdEvent } from '../../../engine/index.ts';

export type Tone = 'reject' | 'defer' | 'permit' | 'neutral';

/** The tone of an SMTP reply line (or a rejection's reply text) by its code. */
export function replyTone(reply: string | undefined): Tone {
  const c = reply?.[0];
  return c === '5' ? 'reject' : c === '4' ? 'defer' : c === '2' || c === '3' ? 'permit' : 'neutral';
}

/** The tone of one event. */
export function eventTone(e: SmtpdEvent): Tone {
  switch (e.kind) {
    case 'command':
      // smtpd died: the client loses the connection and tries again later.
      return e.crash !== undefined ? 'defer' : replyTone(e.reply[0]);
    case 'stage':
    case 'restriction':
      if (e.verdict === 'OK') return 'permit';
      if (e.verdict === 'REJECT') return replyTone(e.reply) === 'defer' ? 'defer' : 'reject';
      return 'neutral';
    case 'action':
      switch (e.effect) {
        case 'permit':
          return 'permit';
        case 'reject':
          return /^(DEFER|4\d\d)$/i.test(e.action) ? 'defer' : 'reject';
        case 'discard':
          return 'reject';
        case 'hold':
        case 'defer_if_permit':
        case 'defer_if_reject':
          return 'defer';
        default:
          return 'neutral';
      }
    case 'note':
      return e.note === 'defer_if_permit' ? 'defer' : 'neutral';
    default:
      return 'neutral';
  }
}

/** Whether an event decided something: it has a tone, or it is a restriction class whose restrictions did. */
const decides = (e: SmtpdEvent): boolean => eventTone(e) !== 'neutral' || (e.kind === 'class' && (e.children ?? []).some(decides));

/** The events on the decisive path of each command (by identity). */
export function decisivePath(events: readonly SmtpdEvent[]): Set<SmtpdEvent> {
  const out = new Set<SmtpdEvent>();
  /** Marks `e` and its last deciding child, recursively. */
  const walk = (e: SmtpdEvent): void => {
    out.add(e);
    const kids = e.children ?? [];
    for (let i = kids.length - 1; i >= 0; i--) {
      const k = kids[i]!;
      if (!decides(k)) continue;
      walk(k);
      // The lookup whose value named the action (or the restrictions) sits right before it.
      const prev = kids[i - 1];
      if ((k.kind === 'action' || k.kind === 'class') && prev?.kind === 'lookup' && prev.status === 'found') out.add(prev);
      return;
    }
  };
  for (const e of events) {
    if (e.kind !== 'command') continue;
    const tone = eventTone(e);
    // A refused command always has a decisive path; an accepted one when a step permitted it.
    if (tone === 'reject' || tone === 'defer' || (e.children ?? []).some((k) => eventTone(k) === 'permit')) walk(e);
  }
  return out;
}

/* postscreen: the same colours for its decisions. */

/** The tone of a connection's postscreen verdict: handed over (permit), refused (reject), told to come back or limited (defer). */
export function verdictTone(v: Pick<PostscreenVerdict, 'outcome' | 'decidedBy'>): Tone {
  if (v.outcome === 'handed-off') return 'permit';
  if (v.outcome === 'no server' || v.decidedBy === 'connection count limit' || v.decidedBy === 'command count limit') return 'defer';
  if (v.decidedBy === 'client' || v.decidedBy === 'no tests') return 'neutral';
  // Passed every test in the dummy engine: postscreen cannot hand the connection over; the client must come back.
  if (v.decidedBy === 'tests') return 'defer';
  return 'reject';
}

/** The tone of an action a failed test (or a denylisting) has: drop and enforce refuse, ignore only logs. */
const actionTone = (a: PostscreenAction | undefined): Tone => (a === 'drop' || a === 'enforce' ? 'reject' : a === 'ignore' ? 'defer' : 'neutral');

/** The tone of one postscreen event. */
export function postscreenTone(e: PostscreenEvent): Tone {
  switch (e.kind) {
    case 'connection':
      return verdictTone(e);
    case 'no-start':
      return 'reject';
    case 'limit':
      return replyTone(e.reply);
    case 'access-list':
    case 'access-item':
      return e.result === 'permit' ? 'permit' : e.result === 'reject' ? 'reject' : e.result === 'error' ? 'defer' : 'neutral';
    case 'denylist':
      return actionTone(e.action);
    case 'allowlist-veto':
      return 'defer';
    case 'dnsbl':
      return e.verdict === 'blocked' ? actionTone(e.action ?? 'enforce') : 'permit';
    case 'dnsbl-site':
      return !e.score.matched ? 'neutral' : e.score.weight > 0 ? 'reject' : e.score.weight < 0 ? 'permit' : 'neutral';
    case 'dnsbl-allowlist':
      return 'permit';
    case 'test':
      return e.result === 'pass' ? 'permit' : actionTone(e.action);
    case 'command':
      return replyTone(e.reply[0]);
    case 'handoff':
      return e.failed !== undefined ? 'defer' : 'permit';
    default:
      return 'neutral';
  }
}

/** The events from `list` down to `target`, or undefined when it is not there. */
function pathTo(list: readonly PostscreenEvent[], target: PostscreenEvent): PostscreenEvent[] | undefined {
  for (const e of list) {
    if (e === target) return [e];
    const below = pathTo(e.children ?? [], target);
    if (below) return [e, ...below];
  }
  return undefined;
}

/** What decided a connection in postscreen (by identity): the events behind its verdict, and the lookups that named them. */
export function postscreenDecisive(events: readonly PostscreenEvent[]): Set<PostscreenEvent> {
  const out = new Set<PostscreenEvent>();
  for (const root of events) {
    if (root.kind !== 'connection') continue;
    const by = root.decidedBy;
    const kids = root.children ?? [];
    const all = (list: readonly PostscreenEvent[]): PostscreenEvent[] => list.flatMap((e) => [e, ...all(e.children ?? [])]);
    const mark = (e: PostscreenEvent | undefined): void => void (e && out.add(e));
    if (by === 'access list') {
      const list = kids.find((e) => e.kind === 'access-list');
      mark(list);
      // The item that answered: the last one tried, down through the table whose value decided.
      let level = list?.children ?? [];
      while (level.length > 0) {
        const last = level[level.length - 1]!;
        mark(last);
        level = last.children ?? [];
      }
      mark(kids.find((e) => e.kind === 'denylist'));
    } else if (by === 'cache') mark(kids.find((e) => e.kind === 'cache-lookup'));
    else if (by === 'connection count limit' || by === 'command count limit') mark(all(kids).find((e) => e.kind === 'limit'));
    else if (by === 'dnsbl') {
      const d = kids.find((e) => e.kind === 'dnsbl');
      mark(d);
      for (const s of d?.children ?? []) if (s.kind === 'dnsbl-site' && s.score.matched) mark(s);
    } else if (by !== 'tests' && by !== 'no tests' && by !== 'client') {
      // A test that failed: it, and the dummy-engine command it failed at.
      const failed = all(kids).find((e) => e.kind === 'test' && e.test === by && e.result === 'fail');
      for (const e of failed ? (pathTo(kids, failed) ?? []) : []) mark(e);
    }
    if (out.size > 0 || root.outcome === 'handed-off') mark(root);
    if (root.outcome === 'handed-off') mark(kids.find((e) => e.kind === 'handoff'));
  }
  return out;
}
