/*
 * NAME
 *   smtpd/xclient - the attributes of an XCLIENT command
 * DESCRIPTION
 *   applyXclient() updates the session's client facts from NAME=, ADDR=,
 *   PORT=, REVERSE_NAME=, HELO=, PROTO= and LOGIN= as smtpd's xclient_cmd()
 *   does: values are xtext-decoded, `[UNAVAILABLE]` and `[TEMPUNAVAIL]`
 *   set lookup statuses, addresses are normalised as inet_ntop() prints
 *   them (IPv4-mapped made plain). A bad attribute is the 501 reply smtpd
 *   gives; what came before it has been applied, as in Postfix.
 */
import type { PeerStatus, SessionState } from './state.ts';
import { validHostname, validIpv4Hostaddr, validIpv6Hostaddr } from '../mail/valid-hostname.ts';
import { formatAddress, normalizeV4Mapped, parseAddress } from '../util/inet.ts';
import { printable } from '../trace/printable.ts';

/** xtext_unquote: `+XX` hex escapes; undefined when malformed. */
function xtextUnquote(text: string): string | undefined {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '+') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      out += String.fromCharCode(parseInt(hex, 16));
      i += 2;
    } else out += text[i];
  }
  return out;
}

/** applyXclient - apply `NAME=VALUE` words to the session; the attributes seen, or the error reply. */
export function applyXclient(s: SessionState, words: readonly string[]): { error: string } | { gotHelo: boolean; gotProto: boolean; gotLogin: boolean } {
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
        // normalize_mailhost_addr(): the address as inet_ntop() prints it, IPv4-mapped made plain.
        const parsed = parseAddress(v6 ?? value);
        const a = normalizeV4Mapped(parsed ? formatAddress(parsed) : (v6 ?? value).toLowerCase());
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
