/*
 * NAME
 *   smtpd/restrictions/policy - check_policy_service: ask a policy server
 * DESCRIPTION
 *   smtpd sends the request attributes (request, protocol_state,
 *   client_address, sender, recipient, ...) to the server and applies the
 *   action it answers as an access table result. The simulator runs no
 *   server: the answer is the first policy fact that matches the
 *   attributes. A server with facts but none matching closes the
 *   connection; a server without facts refuses it (smtpd tries twice).
 *   Without an answer, smtpd_policy_service_default_action applies.
 * SEE ALSO
 *   SMTPD_POLICY_README, postconf(5) (smtpd_policy_service_default_action)
 */
import type { Checker } from './checker.ts';
import { checkTableResult } from './table-result.ts';
import type { RestrictionFamily } from './types.ts';

/** The policy request smtpd sends, as far as policy facts can match on it. */
function policyRequest(c: Checker): Map<string, string> {
  const s = c.state;
  return new Map<string, string>([
    ['request', 'smtpd_access_policy'],
    ['protocol_state', s.where],
    ['protocol_name', s.protocol],
    ['client_address', s.addr],
    ['client_name', s.name],
    ['reverse_client_name', s.reverseName],
    ['helo_name', s.heloName ?? ''],
    ['sender', s.sender ?? ''],
    ['recipient', s.recipient ?? ''],
    ['recipient_count', String(['DATA', 'BDAT', 'END-OF-MESSAGE'].includes(s.where) ? s.rcptCount : 0)],
    ['sasl_username', s.saslUsername ?? ''],
    ['sasl_method', s.saslMethod ?? ''],
    ['etrn_domain', s.etrnName ?? ''],
  ]);
}

/** checkPolicyService - the policy server's action, from the facts; no answer means its default action. */
export function checkPolicyService(c: Checker, server: string, replyName: string, replyClass: string, defAcl: string | undefined): number {
  const q = { table: server, replyName, replyClass, defAcl };
  const fact = c.cfg.facts.policyAnswer(server, policyRequest(c));
  if (!fact) {
    // The client names the endpoint without its inet: or unix: prefix.
    const endpoint = server.replace(/^(inet|unix):/, '');
    if (c.cfg.facts.policy.some((p) => p.server === server)) {
      c.step({ kind: 'fact', fact: 'policy', server, answer: 'no-answer' });
      c.warn(`problem talking to server ${endpoint}: Application error`);
    } else {
      // Nothing listens: smtpd tries twice.
      c.step({ kind: 'fact', fact: 'policy', server, answer: 'refused' });
      const why = server.startsWith('unix:') ? 'No such file or directory' : 'Connection refused';
      for (let attempt = 0; attempt < 2; attempt++) {
        c.warn(`connect to ${endpoint}: ${why}`);
        c.warn(`problem talking to server ${endpoint}: ${why}`);
      }
    }
    return checkTableResult(c, q, c.cfg.str('smtpd_policy_service_default_action'), 'policy query');
  }
  c.step({ kind: 'fact', fact: 'policy', server, answer: 'action', action: fact.action, source: { file: c.cfg.facts.file, line: fact.line } });
  return checkTableResult(c, q, fact.action, 'policy query');
}

/** check_policy_service transport:server. */
export const POLICY_RESTRICTIONS: RestrictionFamily = {
  check_policy_service: { arg: 'server', check: (c, r) => checkPolicyService(c, r.arg, r.replyName, r.replyClass, r.defAcl) },
};
