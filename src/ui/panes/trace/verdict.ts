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
 */
import type { SmtpdEvent } from '../../../engine/index.ts';

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
