/*
 * NAME
 *   smtpd/access - access(5) tables: the search orders and what a result means
 * DESCRIPTION
 *   checkTableResult interprets a table value as smtpd does (OK, REJECT,
 *   DEFER, 4NN/5NN text, DEFER_IF_*, FILTER, HOLD, DISCARD, REDIRECT, BCC,
 *   PREPEND, INFO, WARN, DUNNO, all-numeric, or a restriction list), and the
 *   check*Access functions try the keys of access(5) in smtpd's order:
 *   host names and their parent domains, addresses and their shorter
 *   networks, and mail addresses through mail_addr_find's strategy.
 */
import type { Checker } from './checker.ts';
import type { AccessMaps, MapsAnswer } from './deps.ts';
import {
  MA_FIND_DOMAIN,
  MA_FIND_FULL,
  MA_FIND_LOCALPART_AT,
  MA_FIND_NOEXT,
  MA_FIND_PDDMDS,
  MA_FIND_PDMS,
  RESOLVE_FLAG_FAIL,
  RESOLVE_FLAG_ROUTED,
} from './deps.ts';
import { CHECK_DUNNO, CHECK_OK, CheckAbort, logWhatsup } from './reject.ts';
import { dsnSplit, smtpdDsnFix } from '../mail/dsn.ts';
import { validHostaddr } from '../mail/valid-hostname.ts';
import { splitList } from '../util/lists.ts';
import { genericChecks } from './generic.ts';

export const NAME_CLIENT = 'Client host';
export const NAME_REV_CLIENT = 'Unverified Client host';
export const NAME_CCERT = 'Client certificate';
export const NAME_SASL_USER = 'SASL login name';
export const NAME_HELO = 'Helo command';
export const NAME_SENDER = 'Sender address';
export const NAME_RECIPIENT = 'Recipient address';
export const NAME_ETRN = 'Etrn command';
export const NAME_DATA = 'Data command';
export const NAME_EOD = 'End-of-data';

/** The result of one access check, and whether any key was found. */
export interface AccessOutcome {
  status: number;
  found: boolean;
}

/** rejectServerError - `451 4.3.5 Server configuration error`, leaving the restriction list. */
export function rejectServerError(c: Checker): never {
  throw new CheckAbort(c.reject('software', 451, '4.3.5', 'Server configuration error'));
}

/** rejectDictRetry - `451 4.3.0 <name>: Temporary lookup failure`, leaving the restriction list. */
export function rejectDictRetry(c: Checker, replyName: string): never {
  throw new CheckAbort(c.reject('data', 451, '4.3.0', `<${replyName}>: Temporary lookup failure`));
}

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
export function checkTableResult(
  c: Checker,
  table: string,
  value: string,
  datum: string,
  replyName: string,
  replyClass: string,
  defAcl: string | undefined,
): number {
  const s = c.state;
  const cmdLen = value.search(/[ \t]/) < 0 ? value.length : value.search(/[ \t]/);
  const cmd = value.slice(0, cmdLen);
  const text = value.slice(cmdLen).replace(/^\s+/, '');
  const is = (name: string): boolean => cmd.toLowerCase() === name.toLowerCase();
  const fix = (dsn: string): string => {
    const f = smtpdDsnFix(dsn, replyClass);
    if (f.info) c.info(f.info);
    return f.status;
  };
  const act = (title: string, detail?: string): void => void c.step({ kind: 'action', title, ...(detail && { detail }) });

  if (is('DUNNO')) return (act('DUNNO', 'skip the rest of this table'), CHECK_DUNNO);
  if (is('REJECT')) {
    const d = dsnSplit('5.7.1', text);
    act('REJECT');
    return c.reject('policy', c.cfg.int('access_map_reject_code'), fix(d.dsn), `<${replyName}>: ${replyClass} rejected: ${d.text || 'Access denied'}`);
  }
  if (is('DEFER')) {
    const d = dsnSplit('4.7.1', text);
    act('DEFER');
    return c.reject('policy', c.cfg.int('access_map_defer_code'), fix(d.dsn), `<${replyName}>: ${replyClass} rejected: ${d.text || 'Access denied'}`);
  }
  if (is('INFO')) return (act('INFO', 'logged'), logWhatsup(s, c, 'info', text), CHECK_DUNNO);
  if (is('WARN')) return (act('WARN', 'logged'), logWhatsup(s, c, 'warn', text), CHECK_DUNNO);
  if (is('FILTER')) {
    if (!delegable(c, table, 'FILTER')) return CHECK_DUNNO;
    if (!text) c.warn(`access table ${table} entry "${datum}" has FILTER entry without value`);
    else if (!text.includes(':')) c.warn(`access table ${table} entry "${datum}" requires transport:destination`);
    else {
      act('FILTER', `content filter ${text} for the whole message`);
      logWhatsup(s, c, 'filter', `<${replyName}>: ${replyClass} triggers FILTER ${text}`);
      s.savedFilter = text;
    }
    return CHECK_DUNNO;
  }
  if (is('HOLD')) {
    if (!delegable(c, table, 'HOLD') || s.hold) return CHECK_DUNNO;
    act('HOLD', 'the whole message goes to the hold queue');
    logWhatsup(s, c, 'hold', `<${replyName}>: ${replyClass} ${text || 'triggers HOLD action'}`);
    s.hold = true;
    return CHECK_DUNNO;
  }
  if (is('DISCARD')) {
    if (!delegable(c, table, 'DISCARD')) return CHECK_DUNNO;
    act('DISCARD', 'the whole message is accepted and discarded');
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
    act(name, name === 'BCC' ? `add recipient ${text}` : `all recipients replaced with ${text}`);
    logWhatsup(s, c, name.toLowerCase(), `<${replyName}>: ${replyClass} triggers ${name} ${text}`);
    if (name === 'BCC') s.savedBcc.push(text);
    else s.savedRedirect = text;
    return CHECK_DUNNO;
  }
  if (is('DEFER_IF_PERMIT')) {
    const d = dsnSplit('4.7.1', text);
    act('DEFER_IF_PERMIT', 'a later permit becomes this deferral');
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
    act('DEFER_IF_REJECT', 'a later reject becomes this deferral');
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
    act('PREPEND', `header added: ${text}`);
    s.prepend.push(text);
    return CHECK_DUNNO;
  }
  if (/^\d+$/.test(value)) return (act('OK', 'all-numerical result'), smtpdAclPermit(c, cmd, replyClass, replyName, `from ${table}`));
  if (cmdLen === 3 && text && /^[45]\d\d$/.test(cmd)) {
    const d = dsnSplit(`${cmd[0]}.7.1`, text);
    act(cmd);
    return c.reject('policy', Number(cmd), fix(d.dsn), `<${replyName}>: ${replyClass} rejected: ${d.text || 'Access denied'}`);
  }
  if (is('OK') || is('RELAY')) return (act('OK'), smtpdAclPermit(c, cmd, replyClass, replyName, `from ${table}`));
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
  return c.step({ kind: 'class', title: `restrictions from the table: ${restrictions.join(' ')}` }, () =>
    genericChecks(c, restrictions, replyName, replyClass, defAcl),
  )!;
}

function mapsOf(c: Checker, table: string): AccessMaps | undefined {
  const maps = c.cfg.maps.get(table);
  if (!maps) c.warn(`check_access: unexpected dictionary: ${table}`);
  return maps;
}

function recordLookups(c: Checker, answer: MapsAnswer, purpose: string): void {
  for (const w of answer.warnings ?? []) c.warn(w.message);
  if (!c.tracing) return;
  for (const l of answer.lookups)
    c.step({ kind: 'lookup', title: `${purpose}${l.table} ${JSON.stringify(l.key)}`, result: lookupResult(answer, l), lookup: l });
}

function lookupResult(answer: MapsAnswer, l: { table: string; key: string }): string {
  const last = answer.lookups[answer.lookups.length - 1];
  if (last === l && answer.status === 'found') return `found: ${answer.value}`;
  if (last === l && answer.status === 'error') return 'lookup error';
  return 'not found';
}

/** A table search that failed: Postfix answers "451 4.3.5 Server configuration error" through the table result. */
const SERVER_ERROR_VALUE = '451 4.3.5 Server configuration error';

/** checkAccess - one key, no search magic. */
export function checkAccess(
  c: Checker,
  table: string,
  name: string,
  partial: boolean,
  replyName: string,
  replyClass: string,
  defAcl: string | undefined,
): AccessOutcome {
  const maps = mapsOf(c, table);
  if (!maps) return { status: checkTableResult(c, table, SERVER_ERROR_VALUE, name, replyName, replyClass, defAcl), found: true };
  const answer = maps.find(name, partial);
  recordLookups(c, answer, '');
  if (answer.status === 'found') return { status: checkTableResult(c, table, answer.value!, name, replyName, replyClass, defAcl), found: true };
  if (answer.status === 'error') return { status: checkTableResult(c, table, SERVER_ERROR_VALUE, name, replyName, replyClass, defAcl), found: true };
  return { status: CHECK_DUNNO, found: false };
}

/** checkDomainAccess - the name, then its parent domains (`.parent` or `parent` per smtpd_access_maps style). */
export function checkDomainAccess(
  c: Checker,
  table: string,
  domain: string,
  partial: boolean,
  replyName: string,
  replyClass: string,
  defAcl: string | undefined,
): AccessOutcome {
  const maps = mapsOf(c, table);
  if (!maps) return { status: checkTableResult(c, table, SERVER_ERROR_VALUE, domain, replyName, replyClass, defAcl), found: true };
  let name = domain;
  let maybeNumerical = true;
  let fixedOnly = partial;
  while (name !== '') {
    const answer = maps.find(name, fixedOnly);
    recordLookups(c, answer, '');
    if (answer.status === 'found') return { status: checkTableResult(c, table, answer.value!, domain, replyName, replyClass, defAcl), found: true };
    if (answer.status === 'error') return { status: checkTableResult(c, table, SERVER_ERROR_VALUE, domain, replyName, replyClass, defAcl), found: true };
    // No subdomain magic for numerical host names.
    if (maybeNumerical && (maybeNumerical = validHostaddr(domain))) break;
    const dot = name.indexOf('.', 1);
    if (dot < 0) break;
    name = c.cfg.accessParentStyle ? name.slice(dot + 1) : name.slice(dot);
    fixedOnly = true;
  }
  return { status: CHECK_DUNNO, found: false };
}

/** checkAddrAccess - the address, then its shorter networks (octets for IPv4, fields for IPv6). */
export function checkAddrAccess(
  c: Checker,
  table: string,
  address: string,
  partial: boolean,
  replyName: string,
  replyClass: string,
  defAcl: string | undefined,
): AccessOutcome {
  const maps = mapsOf(c, table);
  if (!maps) return { status: checkTableResult(c, table, SERVER_ERROR_VALUE, address, replyName, replyClass, defAcl), found: true };
  const delim = address.includes(':') ? ':' : '.';
  let addr = address;
  let fixedOnly = partial;
  for (;;) {
    const answer = maps.find(addr, fixedOnly);
    recordLookups(c, answer, '');
    if (answer.status === 'found') return { status: checkTableResult(c, table, answer.value!, address, replyName, replyClass, defAcl), found: true };
    if (answer.status === 'error') return { status: checkTableResult(c, table, SERVER_ERROR_VALUE, address, replyName, replyClass, defAcl), found: true };
    fixedOnly = true;
    const cut = addr.lastIndexOf(delim);
    if (cut < 0) break;
    addr = addr.slice(0, cut);
  }
  return { status: CHECK_DUNNO, found: false };
}

/** checkNamadrAccess - the host name (and parents), then the address (and networks). */
export function checkNamadrAccess(
  c: Checker,
  table: string,
  name: string,
  addr: string,
  replyName: string,
  replyClass: string,
  defAcl: string | undefined,
): number {
  const byName = checkDomainAccess(c, table, name, false, replyName, replyClass, defAcl);
  if (byName.status !== 0 || byName.found) return byName.status;
  const byAddr = checkAddrAccess(c, table, addr, false, replyName, replyClass, defAcl);
  return byAddr.status;
}

/** checkMailAccess - a sender or recipient: resolve it, then search user+ext@domain, user@domain, domain, parents, user@. */
export function checkMailAccess(c: Checker, table: string, addr: string, replyName: string, replyClass: string, defAcl: string | undefined): AccessOutcome {
  const s = c.state;
  const reply = c.cfg.resolver.resolve((replyClass === NAME_SENDER ? s.recipient : s.sender) ?? '', addr);
  if (reply.flags & RESOLVE_FLAG_FAIL) rejectDictRetry(c, addr);
  if (!reply.recipient.includes('@')) {
    c.warn(`check_mail_access: no @domain in address: ${reply.recipient}`);
    return { status: CHECK_DUNNO, found: false };
  }
  const maps = mapsOf(c, table);
  if (!maps) return { status: checkTableResult(c, table, SERVER_ERROR_VALUE, reply.recipient, replyName, replyClass, defAcl), found: true };
  const strategy = MA_FIND_FULL | MA_FIND_NOEXT | MA_FIND_DOMAIN | MA_FIND_LOCALPART_AT | (c.cfg.accessParentStyle ? MA_FIND_PDMS : MA_FIND_PDDMDS);
  const answer = c.cfg.resolver.addrFind(maps, reply.recipient, strategy);
  recordLookups(c, answer, '');
  if (answer.status === 'found') {
    const status = checkTableResult(c, table, answer.value!, reply.recipient, replyName, replyClass, defAcl);
    // A source-routed recipient is too suspicious for OK.
    const suspicious = !c.cfg.bool('allow_untrusted_routing') && (reply.flags & RESOLVE_FLAG_ROUTED) !== 0 && replyClass === NAME_RECIPIENT;
    return { status: status === CHECK_OK && suspicious ? CHECK_DUNNO : status, found: true };
  }
  if (answer.status === 'error') return { status: checkTableResult(c, table, SERVER_ERROR_VALUE, reply.recipient, replyName, replyClass, defAcl), found: true };
  return { status: CHECK_DUNNO, found: false };
}
