/*
 * NAME
 *   smtpd/restrictions/stages - the restriction stages and the order smtpd applies them in
 * DESCRIPTION
 *   smtpd_check_client, _helo, _mail, _rcpt, _etrn, _data and _eod: each
 *   resets the per-stage state, restores the DEFER_IF_PERMIT flag of the
 *   stages before it, runs its list and answers with a reject text or
 *   nothing. With smtpd_delay_reject the client, HELO and sender stages
 *   are re-run at RCPT (and ETRN). The recipient stage runs
 *   smtpd_relay_restrictions and smtpd_recipient_restrictions in the order
 *   smtpd_relay_before_recipient_restrictions says, then turns a permit
 *   into the remembered deferral, then validates the recipient
 *   (smtpd_reject_unlisted_recipient).
 * SEE ALSO
 *   postconf(5) (smtpd_delay_reject, smtpd_relay_before_recipient_restrictions,
 *   smtpd_reject_unlisted_recipient), SMTPD_ACCESS_README
 */
import type { ParamName } from '../../config/names.ts';
import type { RestrictionStage, SmtpdEventOf } from '../../trace/types.ts';
import { emptyDeferred } from '../state.ts';
import type { SessionState } from '../state.ts';
import type { Checker } from './checker.ts';
import { genericChecks, setVerdict } from './generic.ts';
import { NAME_CLIENT, NAME_DATA, NAME_EOD, NAME_ETRN, NAME_HELO, NAME_RECIPIENT, NAME_SENDER } from './names.ts';
import { checkRecipientRcptMaps, checkSenderRcptMaps } from './rcpt-maps.ts';
import { CHECK_DUNNO, CHECK_REJECT, CheckAbort } from './reject.ts';

function reset(c: Checker): void {
  c.state.recursion = 0;
  c.state.warnIfReject = 0;
  c.state.deferIfReject = emptyDeferred();
}

/** A stage's trace event; the restriction list comes from `parameter`. */
function stageEvent(c: Checker, stage: RestrictionStage, parameter: ParamName): SmtpdEventOf<'stage'> {
  const source = c.tracing ? c.cfg.params.source(parameter) : undefined;
  return { kind: 'stage', stage, parameter, ...(source && { source }) };
}

/** Run one list; a CheckAbort (Postfix's longjmp) carries its status out. */
function run(
  c: Checker,
  stage: RestrictionStage,
  parameter: ParamName,
  list: readonly string[],
  replyName: string,
  replyClass: string,
  defAcl: string | undefined,
  legacy = false,
): number {
  if (list.length === 0) return CHECK_DUNNO;
  const node = { ...stageEvent(c, stage, parameter), ...(legacy && { legacy: true as const }), replyName, replyClass };
  const status = c.step(node, () => guarded(() => genericChecks(c, list, replyName, replyClass, defAcl)))!;
  setVerdict(c, node, status);
  return status;
}

/** implicit - a check smtpd makes because `parameter = yes` (smtpd_reject_unlisted_*). */
function implicit(c: Checker, stage: RestrictionStage, parameter: ParamName, check: () => number): number {
  const node = { ...stageEvent(c, stage, parameter), implicit: true as const };
  const status = c.step(node, () => guarded(check))!;
  setVerdict(c, node, status);
  return status;
}

function guarded(fn: () => number): number {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CheckAbort) return e.status;
    throw e;
  }
}

const answer = (c: Checker, status: number): string | undefined => (status === CHECK_REJECT ? c.state.errorText : undefined);

function forceDeferral(c: Checker, status: number): number {
  const d = c.state.deferIfPermit;
  if (status !== CHECK_REJECT && d.active) {
    const deferred = c.reject(d.errorClass, d.code, d.dsn, d.reason);
    c.step({ kind: 'note', note: 'defer_if_permit', reply: c.state.errorText });
    return deferred;
  }
  return status;
}

/** withState - run a stage with `s[key]` set to the name it checks, restored afterwards. */
function withState<K extends keyof SessionState>(s: SessionState, key: K, value: SessionState[K], stage: () => string | undefined): string | undefined {
  const saved = s[key];
  s[key] = value;
  try {
    return stage();
  } finally {
    s[key] = saved;
  }
}

export function checkClient(c: Checker): string | undefined {
  const s = c.state;
  s.deferIfPermit.active = false;
  reset(c);
  const status = run(c, 'client', 'smtpd_client_restrictions', c.cfg.lists.client, s.namaddr, NAME_CLIENT, 'check_client_access');
  s.deferIfPermitClient = s.deferIfPermit.active;
  return answer(c, status);
}

export function checkHelo(c: Checker, helo: string | undefined): string | undefined {
  const s = c.state;
  if (helo === undefined) return undefined;
  return withState(s, 'heloName', helo, () => {
    s.deferIfPermit.active = s.deferIfPermitClient;
    reset(c);
    const status = run(c, 'helo', 'smtpd_helo_restrictions', c.cfg.lists.helo, helo, NAME_HELO, 'check_helo_access');
    s.deferIfPermitHelo = s.deferIfPermit.active;
    return answer(c, status);
  });
}

export function checkMail(c: Checker, sender: string | undefined): string | undefined {
  const s = c.state;
  if (sender === undefined) return undefined;
  return withState(s, 'sender', sender, () => {
    s.deferIfPermit.active = s.deferIfPermitClient || s.deferIfPermitHelo;
    s.senderRcptmapChecked = false;
    reset(c);
    let status = run(c, 'sender', 'smtpd_sender_restrictions', c.cfg.lists.sender, sender, NAME_SENDER, 'check_sender_access');
    s.deferIfPermitSender = s.deferIfPermit.active;
    if (c.cfg.bool('smtpd_reject_unlisted_sender') && status !== CHECK_REJECT && !s.senderRcptmapChecked && !s.discard && sender)
      status = implicit(c, 'sender', 'smtpd_reject_unlisted_sender', () => checkSenderRcptMaps(c, sender));
    return answer(c, status);
  });
}

export function checkRcpt(c: Checker, recipient: string): string | undefined {
  const s = c.state;
  // RFC 5321 wants "postmaster" accepted without a domain.
  if (recipient.toLowerCase() === 'postmaster') {
    c.step({ kind: 'note', note: 'postmaster' });
    return undefined;
  }
  return withState(s, 'recipient', recipient, () => {
    s.recipientRcptmapChecked = false;
    if (c.cfg.bool('smtpd_delay_reject')) {
      const err = checkClient(c) ?? checkHelo(c, s.heloName) ?? checkMail(c, s.sender);
      if (err !== undefined) return err;
    }
    s.deferIfPermit.active = s.deferIfPermitSender;
    reset(c);
    const compatRelay = c.cfg.compat.relayRestrictions;
    const rcptFirst = c.cfg.bool('smtpd_relay_before_recipient_restrictions') && !compatRelay ? false : true;
    const relayList = compatRelay ? c.cfg.lists.fakeRelay : c.cfg.lists.relay;
    const recipientStage: [RestrictionStage, ParamName, readonly string[]] = ['recipient', 'smtpd_recipient_restrictions', c.cfg.lists.recipient];
    const relayStage: [RestrictionStage, ParamName, readonly string[]] = ['relay', 'smtpd_relay_restrictions', relayList];
    const order = rcptFirst ? [recipientStage, relayStage] : [relayStage, recipientStage];
    let status = CHECK_DUNNO;
    let n = 0;
    for (; n < 2; n++) {
      const [stage, param, list] = order[n]!;
      const isRelay = stage === 'relay';
      status = run(c, stage, param, list, recipient, NAME_RECIPIENT, 'check_recipient_access', compatRelay && isRelay);
      if (isRelay && compatRelay && status === CHECK_DUNNO)
        c.info(
          `using backwards-compatible default setting "smtpd_relay_restrictions = (empty)" to avoid "Relay access denied" error for recipient "${recipient}" from client "${s.namaddr}"`,
        );
      if (status === CHECK_REJECT) break;
    }
    if (status === CHECK_REJECT && c.cfg.compat.relayBeforeRcpt && n === 0)
      c.info(
        `using backwards-compatible default setting smtpd_relay_before_recipient_restrictions=no to reject recipient "${recipient}" from client "${s.namaddr}"`,
      );
    status = forceDeferral(c, status);
    if (c.cfg.bool('smtpd_reject_unlisted_recipient') && status !== CHECK_REJECT && !s.recipientRcptmapChecked && !s.discard)
      status = implicit(c, 'recipient', 'smtpd_reject_unlisted_recipient', () => checkRecipientRcptMaps(c, recipient));
    return answer(c, status);
  });
}

export function checkEtrn(c: Checker, domain: string): string | undefined {
  const s = c.state;
  return withState(s, 'etrnName', domain, () => {
    if (c.cfg.bool('smtpd_delay_reject')) {
      const err = checkClient(c) ?? checkHelo(c, s.heloName);
      if (err !== undefined) return err;
    }
    s.deferIfPermit.active = s.deferIfPermitClient || s.deferIfPermitHelo;
    reset(c);
    const status = run(c, 'etrn', 'smtpd_etrn_restrictions', c.cfg.lists.etrn, domain, NAME_ETRN, 'check_etrn_access');
    return answer(c, forceDeferral(c, status));
  });
}

function checkMessage(
  c: Checker,
  stage: RestrictionStage,
  parameter: ParamName,
  list: readonly string[],
  replyName: string,
  replyClass: string,
): string | undefined {
  const s = c.state;
  // With several recipients there is no one recipient to check.
  return withState(s, 'recipient', s.rcptCount > 1 ? undefined : s.recipient, () => {
    s.deferIfPermit.active = false;
    reset(c);
    const status = run(c, stage, parameter, list, replyName, replyClass, undefined);
    return answer(c, forceDeferral(c, status));
  });
}

export const checkData = (c: Checker): string | undefined => checkMessage(c, 'data', 'smtpd_data_restrictions', c.cfg.lists.data, 'DATA', NAME_DATA);
export const checkEod = (c: Checker): string | undefined =>
  checkMessage(c, 'end-of-data', 'smtpd_end_of_data_restrictions', c.cfg.lists.eod, 'END-OF-MESSAGE', NAME_EOD);

/** checkSize - SIZE= against message_size_limit. */
export function checkSize(c: Checker, size: number): string | undefined {
  reset(c);
  const limit = c.cfg.int('message_size_limit');
  if (limit > 0 && size > limit) {
    c.reject('policy', 552, '5.3.4', 'Message size exceeds fixed limit');
    return c.state.errorText;
  }
  return undefined;
}
