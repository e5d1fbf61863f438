/*
 * NAME
 *   trace/smtpd-text - the words a renderer shows for one smtpd trace event
 * DESCRIPTION
 *   smtpdEventText() turns an SmtpdEvent into a title (what was done), a
 *   result (its outcome) and a detail (why, or the reply), the way the
 *   command line prints a trace and the page labels its rows, so the two
 *   say the same thing. It decides nothing: every fact is in the event.
 *   This module imports nothing but the trace types.
 * SEE ALSO
 *   trace/types.ts (SmtpdEvent), smtpd(8)
 */
import type { AccessEffect, SmtpdEvent, SmtpdEventOf, SourceLine } from './types.ts';

/** The text of one event. */
export interface SmtpdEventText {
  title: string;
  result?: string;
  detail?: string;
}

/** What each access table action does, in words. */
const EFFECTS: Readonly<Record<AccessEffect, (text: string) => string>> = {
  permit: () => 'permit',
  reject: () => 'reject',
  dunno: () => 'skip the rest of this table',
  log: () => 'logged',
  filter: (text) => `content filter ${text} for the whole message`,
  hold: () => 'the whole message goes to the hold queue',
  discard: () => 'the whole message is accepted and discarded',
  redirect: (text) => `all recipients replaced with ${text}`,
  bcc: (text) => `add recipient ${text}`,
  prepend: (text) => `header added: ${text}`,
  defer_if_permit: () => 'a later permit becomes this deferral',
  defer_if_reject: () => 'a later reject becomes this deferral',
};

/** visible - a client's line with control characters (a NUL byte, ...) shown as octal escapes. */
const visible = (line: string): string => line.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => '\\' + c.charCodeAt(0).toString(8).padStart(3, '0'));

/** sourceText - `file, line N`, as Postfix names places in files. */
export const sourceText = (source: SourceLine): string => (source.line === undefined ? source.file : `${source.file}, line ${source.line}`);

function noteText(e: SmtpdEventOf<'note'>): SmtpdEventText {
  switch (e.note) {
    case 'defer_if_permit':
      return { title: 'a DEFER_IF_PERMIT decision turns the permit into a deferral', detail: e.reply };
    case 'postmaster':
      return { title: 'RCPT TO:<postmaster> is always accepted' };
    case 'xclient':
      return { title: `XCLIENT: the client is now ${e.client}${e.helo ? `, helo=${e.helo}` : ''}${e.login ? `, login=${e.login}` : ''}` };
    case 'pipelining':
      return { title: `improper command pipelining after ${e.after}`, detail: 'reject_unauth_pipelining will reject from now on' };
  }
}

/** smtpdEventText - title, result and detail of one event. */
export function smtpdEventText(e: SmtpdEvent): SmtpdEventText {
  switch (e.kind) {
    case 'session':
      if (e.event === 'connect') return { title: `connect from ${e.client} (smtpd_delay_reject = no: client restrictions now)` };
      return {
        title: e.event === 'crash' ? 'smtpd dies at start-up' : e.event === 'no-start' ? 'smtpd does not start' : 'smtpd exits after the connection',
        detail: e.event === 'crash' ? `it recurses until it runs out of stack: ${e.reason}` : e.reason,
      };
    case 'command':
      if (e.crash !== undefined)
        return { title: visible(e.line), result: 'crash', detail: e.crash.startsWith('the simulator') ? e.crash : `smtpd runs out of stack: ${e.crash}` };
      return { title: visible(e.line), ...(e.reply[0] !== undefined && { result: e.reply[0].slice(0, 3) }) };
    case 'stage': {
      const title = e.implicit ? `${e.parameter} = yes` : `${e.parameter}${e.legacy ? ' (legacy default: only warns)' : ''} (${e.replyClass}: ${e.replyName})`;
      return { title, ...(e.verdict && { result: e.verdict }), ...(e.reply !== undefined && { detail: e.reply }) };
    }
    case 'restriction': {
      if (e.name.toLowerCase() === 'warn_if_reject') return { title: e.name, detail: 'the next restriction only warns' };
      const notes = [e.bare && 'a bare table: the stage’s access restriction', e.warnIfReject && 'under warn_if_reject'].filter(Boolean);
      return {
        title: `${e.name}${e.arg !== undefined ? ` ${e.arg}` : ''}${notes.length ? ` (${notes.join('; ')})` : ''}`,
        ...(e.verdict && { result: e.verdict }),
        ...(e.reply !== undefined && { detail: e.reply }),
      };
    }
    case 'class':
      return {
        title: e.name !== undefined ? `restriction class ${e.name}: ${e.restrictions.join(', ')}` : `restrictions from the table: ${e.restrictions.join(' ')}`,
      };
    case 'lookup':
      return {
        title: `${e.table} ${JSON.stringify(e.key)}`,
        result: e.status === 'found' ? `found: ${e.value ?? ''}` : e.status === 'error' ? 'lookup error' : 'not found',
      };
    case 'action':
      return { title: e.action, detail: EFFECTS[e.effect](e.text ?? '') };
    case 'dns':
      return { title: `${e.type} ${e.name}`, result: e.status === 'ok' ? e.answer.join(', ') : e.status };
    case 'resolve':
      return { title: `resolve ${e.address}`, result: e.class.replace('_', ' '), detail: `${e.transport}:${e.nexthop} ${e.recipient}` };
    case 'list':
      return { title: `${e.parameter}: ${e.subject.join(' ')}`, result: e.matched ? 'matches' : 'no match' };
    case 'fact':
      if (e.fact === 'verify')
        return {
          title: `address verification of ${e.address}`,
          result: e.status === 'pending' ? 'probe in progress' : e.status,
          ...(e.text && { detail: e.text }),
        };
      if (e.fact === 'milter')
        return {
          title: `milter ${e.milter} at ${e.stage}`,
          result: e.answer === 'default' ? 'not reachable: milter_default_action' : (e.verdict ?? 'continue'),
          ...(e.reply !== undefined && { detail: e.reply === 'H' ? 'hold the message' : e.reply === 'D' ? 'discard the message' : e.reply }),
        };
      if (e.fact === 'policy')
        return {
          title: `policy service ${e.server}`,
          result:
            e.answer === 'action'
              ? `action=${e.action ?? ''}`
              : e.answer === 'no-answer'
                ? 'no answer: the server closes the connection (no matching policy fact)'
                : 'connection refused (no policy facts for this server)',
        };
      return {
        title: 'TLS',
        result: e.encrypted ? 'encrypted' : 'plaintext',
        ...(e.fingerprint !== undefined && {
          detail: `client certificate ${e.fingerprint}${e.pkeyFingerprint ? ` (public key ${e.pkeyFingerprint})` : ''}${e.verified ? ', verified' : ''}`,
        }),
      };
    case 'note':
      return noteText(e);
    case 'notice':
      return { title: e.text };
  }
}
