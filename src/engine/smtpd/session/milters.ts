/*
 * NAME
 *   smtpd/session/milters - where smtpd's commands ask its Milters, and what it makes of their answers
 * DESCRIPTION
 *   setupSessionMilters() is setup_milters(): at the connection and after
 *   XCLIENT. askMilters() sends one event with what the Milters are told
 *   (the client, HELO, sender, recipient) and passes the answer through
 *   checkMilterReply() (check_milter_reply()): H holds the message, D
 *   discards it (and the Milters hear nothing more of it), a 4xx/5xx reply
 *   is the command's reply; each is logged as milter-hold, milter-discard
 *   or milter-reject with the session's whatsup. A 421 from a Milter ends
 *   the session like any 421.
 * SEE ALSO
 *   smtpd(8), MILTER_README
 */
import { logForm, logWhatsup } from '../restrictions/reject.ts';
import { milterAbort, milterEvent, milterMessage, setupMilters } from '../milter.ts';
import type { MilterAttrs, MilterHost } from '../milter.ts';
import type { MilterStage } from '../facts/outside.ts';
import type { Checker, SmtpdConfig } from '../restrictions/checker.ts';
import type { SessionState } from '../state.ts';

/** What these functions use of a session (SessionContext has it; the greeting in context.ts calls them). */
interface SessionContext {
  readonly cfg: SmtpdConfig;
  readonly c: Checker;
  readonly s: SessionState;
}

/** The Milters are not told about this message any more (MILTER_SKIP_FLAGS: a DISCARD). */
export const milterSkip = (s: SessionState): boolean => s.discard || s.milterDiscard;

/** milterHost - what the Milters need from the session. */
function milterHost(ctx: SessionContext): MilterHost {
  const { c } = ctx;
  return { facts: ctx.cfg.facts, softBounce: c.softBounce, warn: (t) => c.warn(t), step: (e) => void c.step(e) };
}

/** setupSessionMilters - the Milters of the current client (smtpd_milter_maps by address, else smtpd_milters). */
export function setupSessionMilters(ctx: SessionContext): void {
  const { cfg, s } = ctx;
  let spec = cfg.str('smtpd_milters');
  if (cfg.milterMaps) {
    const r = cfg.milterMaps.find(s.addr, false);
    if (r.status === 'found') spec = r.value!;
  }
  const ms = setupMilters(spec, cfg.str('milter_default_action'));
  if (ms) s.milters = ms;
  else delete s.milters;
}

/** checkMilterReply - log a Milter's answer and turn it into smtpd's: a reply, or undefined to go on. */
export function checkMilterReply(ctx: SessionContext, answer: string): string | undefined {
  const { c, s } = ctx;
  let action: string;
  let reply: string | undefined;
  if (answer === 'H') {
    s.hold = true;
    action = 'milter-hold';
  } else if (answer === 'D') {
    s.milterDiscard = true;
    action = 'milter-discard';
  } else if (answer === 'S') {
    action = 'milter-reject';
    reply = '421 4.7.0 Server closing connection';
  } else if (answer[0] === '4' || answer[0] === '5') {
    action = 'milter-reject';
    reply = answer;
  } else {
    action = 'reject';
    reply = '421 4.3.5 Server configuration error';
  }
  const text = reply ?? `milter triggers ${answer === 'H' ? 'HOLD' : 'DISCARD'} action`;
  logWhatsup(s, c, action, text);
  return reply;
}

/**
 * askMilters - one event to the session's Milters, with `attrs` what they
 * learn now and `push` what the log line shows meanwhile (the new HELO,
 * sender or recipient); smtpd's reply, or undefined to go on.
 */
export function askMilters(
  ctx: SessionContext,
  stage: Exclude<MilterStage, 'header' | 'eoh' | 'body' | 'eom'>,
  attrs: Partial<MilterAttrs> = {},
  push: Partial<Pick<SessionState, 'heloName' | 'sender' | 'recipient'>> = {},
): string | undefined {
  const { s } = ctx;
  const ms = s.milters;
  if (!ms || (stage !== 'connect' && stage !== 'unknown' && milterSkip(s))) return undefined;
  Object.assign(ms.attrs, attrs);
  const answer = milterEvent(milterHost(ctx), ms, stage);
  if (answer === undefined) return undefined;
  const saved = { heloName: s.heloName, sender: s.sender, recipient: s.recipient };
  Object.assign(s, push);
  try {
    return checkMilterReply(ctx, answer);
  } finally {
    Object.assign(s, saved);
  }
}

/** connectMilters - the connect event (at the greeting, again after XCLIENT). */
export function connectMilters(ctx: SessionContext): string | undefined {
  const { s } = ctx;
  const name = s.name !== 'unknown' || s.addr === 'unknown' ? s.name : `[${s.addr}]`;
  return askMilters(ctx, 'connect', { client_name: name, client_address: s.addr, helo: '', sender: '', recipient: '' });
}

/** abortMilters - the message is over for the Milters (mail_reset()). */
export function abortMilters(s: SessionState): void {
  if (s.milters) milterAbort(s.milters);
}

/** headerCount - the header lines a Milter sees: the message's own, and the Message-Id:, Date: and From: cleanup adds. */
function headerCount(lines: readonly string[]): { headers: number; body: boolean } {
  let headers = 0;
  let i = 0;
  const names = new Set<string>();
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^[ \t]/.test(line) && headers > 0) continue;
    const m = /^([!-9;-~]+)[ \t]*:/.exec(line);
    if (!m) break;
    headers++;
    names.add(m[1]!.toLowerCase());
  }
  const body = i < lines.length && (lines[i] !== '' || i + 1 < lines.length);
  for (const added of ['message-id', 'date', 'from']) if (!names.has(added)) headers++;
  return { headers, body };
}

/** messageMilters - the message as cleanup shows it to the Milters; the reply when they refuse it (hold and discard are applied). */
export function messageMilters(ctx: SessionContext, lines: readonly string[]): string | undefined {
  const { cfg, s } = ctx;
  const ms = s.milters;
  if (!ms || milterSkip(s)) return undefined;
  const answer = milterMessage(milterHost(ctx), ms, headerCount(lines));
  if (answer === undefined) return undefined;
  // cleanup logs it, as milter-hold, milter-discard or milter-reject at END-OF-MESSAGE.
  const hold = answer === 'H';
  const discard = answer === 'D';
  if (hold && s.hold) return undefined;
  if (hold) s.hold = true;
  if (discard) s.milterDiscard = true;
  const action = hold ? 'milter-hold' : discard ? 'milter-discard' : 'milter-reject';
  const text = hold ? 'milter triggers HOLD action' : discard ? 'milter triggers DISCARD action' : answer.slice(4);
  const helo = s.heloName !== undefined ? ` helo=<${s.heloName}>` : '';
  s.log.push({
    program: `${cfg.str('syslog_name') || 'postfix'}/cleanup`,
    text: `${s.queueId}: ${action}: END-OF-MESSAGE from ${s.namaddr}: ${text}; from=<${logForm(s.sender ?? '')}> to=<${logForm(s.recipient ?? '')}> proto=${s.protocol}${helo}`,
  });
  return hold || discard ? undefined : answer;
}
