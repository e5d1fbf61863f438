/*
 * NAME
 *   smtpd/restrictions/table-result - what an access table's answer does (check_table_result)
 * DESCRIPTION
 *   The actions of access(5), as an access table or a policy server gives
 *   them: OK and RELAY (or an all-numerical value) permit, REJECT, DEFER
 *   and `4NN/5NN text` reject, DUNNO stops the table's search, INFO and
 *   WARN log, DEFER_IF_PERMIT and DEFER_IF_REJECT remember a deferral,
 *   FILTER, HOLD, DISCARD, REDIRECT, BCC and PREPEND are handed to cleanup
 *   with the message, and anything else is a list of restrictions
 *   evaluated in place (a restriction class by another name).
 *   smtpd_acl_permit() logs a permit when smtpd_log_access_permit_actions
 *   asks for it.
 * SEE ALSO
 *   access(5), postconf(5) (smtpd_log_access_permit_actions)
 */
import type { AccessEffect } from '../../trace/types.ts';
import { dsnSplit } from '../../mail/dsn.ts';
import { splitList } from '../../util/lists.ts';
import type { AccessQuery } from './types.ts';
import type { Checker } from './checker.ts';
import { CHECK_DUNNO, CHECK_OK, logWhatsup, rejectServerError } from './reject.ts';

/** smtpdAclPermit - log `permit` when smtpd_log_access_permit_actions names the action. */
export function smtpdAclPermit(c: Checker, action: string, replyClass: string, replyName: string, extra: string): number {
  if (!c.state.deferIfPermit.active) {
    const names = splitList(c.cfg.str('smtpd_log_access_permit_actions')).map((s) => s.toLowerCase());
    if (names.includes(action.toLowerCase()) || names.includes('static:all')) {
      // Postfix always appends " " and the optional text, even when it is empty.
      logWhatsup(c.state, c, 'permit', `action=${action} for ${replyClass}=${replyName} ${extra}`);
    }
  }
  return CHECK_OK;
}

/** smtpdAclPermitted - smtpd_acl_permit() when a test said OK, else its status unchanged. */
export const smtpdAclPermitted = (c: Checker, status: number, action: string, replyClass: string, replyName: string): number =>
  status === CHECK_OK ? smtpdAclPermit(c, action, replyClass, replyName, '') : status;

/** A message header line: a field name of printable characters other than `:`, then `:`. */
export function isHeader(text: string): boolean {
  const m = /^([\x21-\x39\x3b-\x7e]+)[ \t]*:/.exec(text);
  return m !== null;
}

function delegable(c: Checker, table: string, action: string): boolean {
  if (c.state.where === 'ETRN') {
    c.warn(`access table ${table}: action ${action} is unavailable in smtpd_etrn_restrictions`);
    return false;
  }
  return notInClientHelo(c, table, action);
}

function notInClientHelo(c: Checker, table: string, action: string): boolean {
  if (c.state.sender === undefined) {
    c.warn(`access table ${table}: with smtpd_delay_reject=no, action ${action} is always skipped in Client host or Helo command restrictions`);
    return false;
  }
  return true;
}

/** checkTableResult - what an access table (or policy) answer does. */
export function checkTableResult(c: Checker, q: AccessQuery, value: string, datum: string): number {
  const { table, replyName, replyClass, defAcl } = q;
  const s = c.state;
  const cmdLen = value.search(/[ \t]/) < 0 ? value.length : value.search(/[ \t]/);
  const cmd = value.slice(0, cmdLen);
  const text = value.slice(cmdLen).replace(/^\s+/, '');
  const is = (name: string): boolean => cmd.toLowerCase() === name.toLowerCase();
  const fix = (dsn: string): string => c.dsnFix(dsn, replyClass);
  const act = (effect: AccessEffect, action = cmd): void => void c.step({ kind: 'action', action, ...(text && { text }), effect, table });
  const rejected = (dsnDefault: string, code: number, why: string): number => {
    const d = dsnSplit(dsnDefault, text);
    return c.reject('policy', code, fix(d.dsn), `<${replyName}>: ${replyClass} rejected: ${d.text || why}`);
  };

  if (is('DUNNO')) return (act('dunno'), CHECK_DUNNO);
  if (is('REJECT')) return (act('reject'), rejected('5.7.1', c.cfg.int('access_map_reject_code'), 'Access denied'));
  if (is('DEFER')) return (act('reject'), rejected('4.7.1', c.cfg.int('access_map_defer_code'), 'Access denied'));
  if (is('INFO')) return (act('log'), logWhatsup(s, c, 'info', text), CHECK_DUNNO);
  if (is('WARN')) return (act('log'), logWhatsup(s, c, 'warn', text), CHECK_DUNNO);
  if (is('FILTER')) {
    if (!delegable(c, table, 'FILTER')) return CHECK_DUNNO;
    if (!text) c.warn(`access table ${table} entry "${datum}" has FILTER entry without value`);
    else if (!text.includes(':')) c.warn(`access table ${table} entry "${datum}" requires transport:destination`);
    else {
      act('filter');
      logWhatsup(s, c, 'filter', `<${replyName}>: ${replyClass} triggers FILTER ${text}`);
      s.savedFilter = text;
    }
    return CHECK_DUNNO;
  }
  if (is('HOLD')) {
    if (!delegable(c, table, 'HOLD') || s.hold) return CHECK_DUNNO;
    act('hold');
    logWhatsup(s, c, 'hold', `<${replyName}>: ${replyClass} ${text || 'triggers HOLD action'}`);
    s.hold = true;
    return CHECK_DUNNO;
  }
  if (is('DISCARD')) {
    if (!delegable(c, table, 'DISCARD')) return CHECK_DUNNO;
    act('discard');
    logWhatsup(s, c, 'discard', `<${replyName}>: ${replyClass} ${text || 'triggers DISCARD action'}`);
    s.discard = true;
    return smtpdAclPermit(c, cmd, replyClass, replyName, `from ${table}`);
  }
  if (is('REDIRECT') || is('BCC')) {
    const name = cmd.toUpperCase();
    if (!delegable(c, table, name)) return CHECK_DUNNO;
    if (!text.includes('@')) {
      c.warn(`access table ${table} entry "${datum}" requires user@domain target`);
      return CHECK_DUNNO;
    }
    act(name === 'BCC' ? 'bcc' : 'redirect');
    logWhatsup(s, c, name.toLowerCase(), `<${replyName}>: ${replyClass} triggers ${name} ${text}`);
    if (name === 'BCC') s.savedBcc.push(text);
    else s.savedRedirect = text;
    return CHECK_DUNNO;
  }
  if (is('DEFER_IF_PERMIT')) {
    const d = dsnSplit('4.7.1', text);
    act('defer_if_permit');
    return c.deferIfPermit(
      false,
      'policy',
      c.cfg.int('access_map_defer_code'),
      fix(d.dsn),
      `<${replyName}>: ${replyClass} rejected: ${d.text || 'Service unavailable'}`,
    );
  }
  if (is('DEFER_IF_REJECT')) {
    const d = dsnSplit('4.7.1', text);
    act('defer_if_reject');
    c.deferIfReject('policy', c.cfg.int('access_map_defer_code'), fix(d.dsn), `<${replyName}>: ${replyClass} rejected: ${d.text || 'Service unavailable'}`);
    return CHECK_DUNNO;
  }
  if (is('PREPEND')) {
    if (!notInClientHelo(c, table, 'PREPEND')) return CHECK_DUNNO;
    if (s.where === 'END-OF-MESSAGE') {
      c.warn(`access table ${table}: action PREPEND must be used before smtpd_end_of_data_restrictions`);
      return CHECK_DUNNO;
    }
    if (!text || !isHeader(text)) {
      c.warn(`access table ${table} entry "${datum}" requires header: text`);
      return CHECK_DUNNO;
    }
    act('prepend');
    s.prepend.push(text);
    return CHECK_DUNNO;
  }
  if (/^\d+$/.test(value)) return (act('permit'), smtpdAclPermit(c, cmd, replyClass, replyName, `from ${table}`));
  if (cmdLen === 3 && text && /^[45]\d\d$/.test(cmd)) return (act('reject'), rejected(`${cmd[0]}.7.1`, Number(cmd), 'Access denied'));
  if (is('OK') || is('RELAY')) return (act('permit'), smtpdAclPermit(c, cmd, replyClass, replyName, `from ${table}`));
  if (value.includes(':')) {
    c.warn(`access table ${table} has entry with lookup table: ${value}`);
    c.warn('do not specify lookup tables inside SMTPD access maps');
    c.warn('define a restriction class and specify its name instead.');
    rejectServerError(c);
  }
  if (s.recursion > 100) {
    c.warn(`access table ${table} entry ${value} causes unreasonable recursion`);
    rejectServerError(c);
  }
  const restrictions = splitList(value);
  if (restrictions.length === 0) {
    c.warn(`access table ${table} entry ${value} has empty value`);
    return CHECK_OK;
  }
  s.tableLists++;
  try {
    return c.step({ kind: 'class', restrictions }, () => c.genericChecks(restrictions, replyName, replyClass, defAcl))!;
  } finally {
    s.tableLists--;
  }
}
