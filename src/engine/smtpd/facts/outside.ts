/*
 * NAME
 *   smtpd/facts/outside - policy-service and address-verification answers the user supplies
 * DESCRIPTION
 *   check_policy_service and reject_unverified_* ask servers the simulator
 *   cannot run. Their answers are facts, one per line:
 *
 *     policy SERVER [name=value ...] => ACTION      first matching line wins
 *     verify ADDRESS deliverable
 *     verify ADDRESS undeliverable [text]
 *     verify ADDRESS deferred [text]
 *
 *   A policy line matches when every name=value equals the attribute smtpd
 *   would send (request, protocol_state, client_address, sender,
 *   recipient, ...; values compared case-insensitively). A policy server
 *   with no matching line is unreachable; an address without a verify line
 *   has a probe in progress.
 * SEE ALSO
 *   SMTPD_POLICY_README, ADDRESS_VERIFICATION_README
 */
import type { Diagnostic } from '../../trace/types.ts';

export interface PolicyFact {
  server: string;
  match: ReadonlyMap<string, string>;
  action: string;
  line: number;
}

export type VerifyStatus = 'deliverable' | 'undeliverable' | 'deferred';

/** What the verify service knows about an address, and the facts line that says so. */
export interface VerifyFact {
  status: VerifyStatus;
  text: string;
  line: number;
}

export interface OutsideFacts {
  /** The facts file, as named in diagnostics and trace sources. */
  file: string;
  policy: readonly PolicyFact[];
  verify: ReadonlyMap<string, VerifyFact>;
  diagnostics: readonly Diagnostic[];
  /** The action for a policy request, or undefined when the server does not answer. */
  policyAnswer(server: string, attrs: ReadonlyMap<string, string>): PolicyFact | undefined;
}

/** parseFacts - policy and verify facts from text. */
export function parseFacts(text: string, file = 'facts'): OutsideFacts {
  const policy: PolicyFact[] = [];
  const verify = new Map<string, VerifyFact>();
  const diagnostics: Diagnostic[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw
      .replace(/\r$/, '')
      .replace(/^\s*#.*$/, '')
      .trim();
    if (!line) return;
    const bad = (why: string): void => void diagnostics.push({ severity: 'warning', message: `${file}, line ${i + 1}: ${why}`, file, line: i + 1 });
    const [kind, ...rest] = line.split(/\s+/);
    if (kind === 'policy') {
      const arrow = line.indexOf('=>');
      if (arrow < 0) return bad('policy fact needs "=> ACTION"');
      const [server, ...pairs] = line.slice('policy'.length, arrow).trim().split(/\s+/);
      if (!server) return bad('policy fact needs a server');
      const match = new Map<string, string>();
      for (const p of pairs) {
        const eq = p.indexOf('=');
        if (eq <= 0) return bad(`expected name=value, got "${p}"`);
        match.set(p.slice(0, eq), p.slice(eq + 1));
      }
      policy.push({ server, match, action: line.slice(arrow + 2).trim(), line: i + 1 });
    } else if (kind === 'verify') {
      const [address, status, ...why] = rest;
      if (!address || !['deliverable', 'undeliverable', 'deferred'].includes(status ?? ''))
        return bad('verify fact is "verify ADDRESS deliverable|undeliverable|deferred [text]"');
      verify.set(address.toLowerCase(), { status: status as VerifyStatus, text: why.join(' '), line: i + 1 });
    } else {
      bad(`unknown fact "${kind}"`);
    }
  });
  return {
    file,
    policy,
    verify,
    diagnostics,
    policyAnswer(server, attrs) {
      return policy.find((p) => p.server === server && [...p.match].every(([k, v]) => (attrs.get(k) ?? '').toLowerCase() === v.toLowerCase()));
    },
  };
}

export const NO_FACTS: OutsideFacts = parseFacts('');
