/*
 * NAME
 *   smtpd/session/xclient - the XCLIENT command
 * DESCRIPTION
 *   xclient_cmd(): only clients in smtpd_authorized_xclient_hosts may use
 *   it, and not during a mail transaction. applyXclient() updates the session's client facts from NAME=, ADDR=,
 *   PORT=, REVERSE_NAME=, HELO=, PROTO= and LOGIN= as smtpd's xclient_cmd()
 *   does: values are xtext-decoded, `[UNAVAILABLE]` and `[TEMPUNAVAIL]`
 *   set lookup statuses, addresses are normalised as inet_ntop() prints
 *   them (IPv4-mapped made plain). A bad attribute is the 501 reply smtpd
 *   gives; what came before it has been applied, as in Postfix. After a
 *   successful XCLIENT, smtpd forgets what the old client said (HELO,
 *   protocol, login, transaction) and greets the new one.
 * SEE ALSO
 *   XCLIENT_README, postconf(5) (smtpd_authorized_xclient_hosts)
 */
import type { SmtpdConfig } from '../restrictions/checker.ts';
import type { PeerStatus, SessionState } from '../state.ts';
import { validHostname, validIpv4Hostaddr, validIpv6Hostaddr } from '../../mail/valid-hostname.ts';
import { formatAddress, normalizeV4Mapped, parseAddress } from '../../util/inet.ts';
import { printable } from '../../trace/printable.ts';
import { formatNamaddr } from './context.ts';
import type { CommandHandler } from './context.ts';
import { setupSessionMilters } from './milters.ts';
import { xtextUnquote } from './params.ts';

/**
 * inetAton - an IPv4 address as getaddrinfo() reads it numerically (inet_aton()):
 * a part with a leading zero is octal. Undefined when a part is not a valid number.
 */
function inetAton(value: string): string | undefined {
  const parts = value.split('.').map((p) => (p.length > 1 && p.startsWith('0') ? (/^[0-7]+$/.test(p) ? parseInt(p, 8) : NaN) : Number(p)));
  return parts.every((n) => Number.isInteger(n) && n <= 255) ? parts.join('.') : undefined;
}

/** The address families smtpd takes (inet_protocols): an XCLIENT address of another family is refused. */
function families(protocols: string): { v4: boolean; v6: boolean } {
  const list = protocols.toLowerCase().split(/[\s,]+/);
  const all = list.includes('all');
  return { v4: all || list.includes('ipv4'), v6: all || list.includes('ipv6') };
}

/** applyXclient - apply `NAME=VALUE` words to the session; the attributes seen, or the error reply. */
export function applyXclient(
  s: SessionState,
  words: readonly string[],
  inetProtocols = 'all',
): { error: string } | { gotHelo: boolean; gotProto: boolean; gotLogin: boolean } {
  let gotHelo = false;
  let gotProto = false;
  let gotLogin = false;
  const bad = (attr: string, value: string): { error: string } => ({ error: `501 5.5.4 Bad ${attr} syntax: ${value}` });
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq < 0 || eq + 1 === word.length) return { error: '501 5.5.4 Error: attribute=value expected' };
    const attr = word.slice(0, eq).toUpperCase();
    const raw = word.slice(eq + 1);
    if (raw.length > 255) return { error: '501 5.5.4 Error: attribute value too long' };
    const value = printable(xtextUnquote(raw) ?? raw, false);
    const status: PeerStatus = value.toUpperCase() === '[UNAVAILABLE]' ? 'perm' : value.toUpperCase() === '[TEMPUNAVAIL]' ? 'temp' : 'ok';
    if (attr === 'NAME') {
      if (status === 'ok' && !validHostname(value)) return bad('NAME', value);
      s.name = status === 'ok' ? value : 'unknown';
      s.nameStatus = status;
      if (status === 'ok') {
        s.reverseName = value;
        s.reverseNameStatus = status;
      }
    } else if (attr === 'REVERSE_NAME') {
      if (status === 'ok' && !validHostname(value)) return bad('REVERSE_NAME', value);
      s.reverseName = status === 'ok' ? value : 'unknown';
      s.reverseNameStatus = status;
    } else if (attr === 'ADDR') {
      if (value.toUpperCase() === '[UNAVAILABLE]') {
        s.addr = 'unknown';
        s.rfcAddr = 'unknown';
      } else {
        const v6 = /^ipv6:/i.test(value) ? value.slice(5) : undefined;
        if (v6 !== undefined ? !validIpv6Hostaddr(v6) : !validIpv4Hostaddr(value)) return bad('ADDR', value);
        // normalize_mailhost_addr(): the address as getaddrinfo() reads it and inet_ntop() prints it,
        // IPv4-mapped made plain; a family smtpd does not use (inet_protocols) is no address.
        const v4 = v6 === undefined ? inetAton(value) : undefined;
        const parsed = parseAddress(v6 ?? v4 ?? '');
        if (!parsed) return bad('ADDR', value);
        const a = normalizeV4Mapped(formatAddress(parsed));
        const fam = families(inetProtocols);
        if (a.includes(':') ? !fam.v6 : !fam.v4) return bad('ADDR', value);
        s.addr = a;
        s.rfcAddr = a.includes(':') ? `IPv6:${a}` : a;
      }
    } else if (attr === 'PORT') {
      if (value.toUpperCase() === '[UNAVAILABLE]') s.port = 'unknown';
      else if (!/^\d{1,5}$/.test(value)) return bad('PORT', value);
      else s.port = value;
    } else if (attr === 'HELO') {
      if (value.toUpperCase() === '[UNAVAILABLE]') s.heloName = undefined;
      else {
        if (value.length > 255) return bad('HELO', value);
        s.heloName = value.replace(/[<>()\\";@]/g, '?');
      }
      gotHelo = true;
    } else if (attr === 'PROTO') {
      if (!['SMTP', 'ESMTP'].includes(value.toUpperCase())) return bad('PROTO', value);
      s.protocol = value.toUpperCase();
      gotProto = true;
    } else if (attr === 'LOGIN') {
      if (value.toUpperCase() !== '[UNAVAILABLE]') {
        s.saslUsername = value;
        s.saslMethod = 'XCLIENT';
        gotLogin = true;
      }
    } else if (attr === 'DESTADDR' || attr === 'DESTPORT') {
      // The server side; no restriction reads it here.
    } else {
      return { error: `501 5.5.4 Bad XCLIENT attribute name: ${attr}` };
    }
  }
  return { gotHelo, gotProto, gotLogin };
}

/** xclientAllowed - may the current client use XCLIENT (smtpd_authorized_xclient_hosts)? */
export const xclientAllowed = (cfg: SmtpdConfig, s: SessionState): boolean => cfg.xclientHosts.match(s.name, s.addr).matched;

/** xclient_cmd(): replace the client, then start over with a new greeting. */
export const xclientCmd: CommandHandler = (ctx, argv) => {
  const { cfg, c, s } = ctx;
  if (s.sender !== undefined) return (ctx.reply('503 5.5.1 Error: MAIL transaction in progress'), false);
  if (argv.length < 2) return (ctx.reply('501 5.5.4 Syntax: XCLIENT attribute=value...'), false);
  if (!s.xclientAllowed) return (ctx.reply('550 5.7.0 Error: insufficient authorization'), false);
  const applied = applyXclient(
    s,
    argv.slice(1).map((t) => t.text),
    cfg.str('inet_protocols'),
  );
  if ('error' in applied) return (ctx.reply(applied.error), false);
  const { gotHelo, gotProto, gotLogin } = applied;
  s.namaddr = formatNamaddr(cfg, s);
  s.xclientAllowed = xclientAllowed(cfg, s);
  if (!gotHelo) s.heloName = undefined;
  if (!gotProto && s.protocol !== 'SMTP') s.protocol = 'SMTP';
  if (!gotLogin) {
    s.saslUsername = undefined;
    s.saslMethod = undefined;
  }
  ctx.mailReset();
  ctx.rcptReset();
  c.step({
    kind: 'note',
    note: 'xclient',
    client: s.namaddr,
    ...(s.heloName && { helo: s.heloName }),
    ...(s.saslUsername && { login: s.saslUsername }),
  });
  // smtpd starts over with new Milters and a new greeting.
  s.accessDenied = undefined;
  setupSessionMilters(ctx);
  ctx.greet();
  return 'restart';
};
