/*
 * NAME
 *   smtpd/restrictions/expand - the $name attributes smtpd offers in reply texts
 * DESCRIPTION
 *   smtpd_expand_lookup(): client_address, client_name, helo_name, sender,
 *   recipient and friends for smtpd_reject_footer and RBL reply templates;
 *   any other name is a main.cf parameter.
 * SEE ALSO
 *   postconf(5) (smtpd_reject_footer, default_rbl_reply)
 */
import type { Checker } from './checker.ts';

const localPart = (a: string | undefined): string | undefined => (a === undefined ? undefined : a.includes('@') ? a.slice(0, a.lastIndexOf('@')) : a);
const domainPart = (a: string | undefined): string | undefined => (a === undefined ? undefined : a.includes('@') ? a.slice(a.lastIndexOf('@') + 1) : '');

/** expandSmtpdAttribute - the value of `$name` in smtpd's reply templates. */
export function expandSmtpdAttribute(c: Checker, name: string): string | undefined {
  const s = c.state;
  switch (name) {
    case 'client_address':
      return s.addr;
    case 'client_name':
      return s.name;
    case 'client_port':
      return s.port;
    case 'reverse_client_name':
      return s.reverseName;
    case 'helo_name':
      return s.heloName;
    case 'sender':
      return s.sender === undefined ? undefined : s.sender || c.cfg.str('smtpd_null_access_lookup_key');
    case 'sender_name':
      return localPart(s.sender);
    case 'sender_domain':
      return domainPart(s.sender);
    case 'recipient':
      return s.recipient;
    case 'recipient_name':
      return localPart(s.recipient);
    case 'recipient_domain':
      return domainPart(s.recipient);
    case 'sasl_method':
      return s.saslMethod;
    case 'sasl_username':
      return s.saslUsername;
    case 'protocol_name':
      return s.protocol;
    default:
      return c.cfg.params.dynamic.get(name);
  }
}
