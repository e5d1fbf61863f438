/*
 * NAME
 *   smtpd/facts/outside - policy-service, Milter and address-verification answers the user supplies
 * DESCRIPTION
 *   check_policy_service, smtpd_milters and reject_unverified_* ask servers
 *   the simulator cannot run. Their answers are facts, one per line:
 *
 *     policy SERVER [name=value ...] => ACTION      first matching line wins
 *     milter SERVER STAGE [name=value ...] => VERDICT
 *     verify ADDRESS deliverable
 *     verify ADDRESS undeliverable [text]
 *     verify ADDRESS deferred [text]
 *
 *   A policy line matches when every name=value equals the attribute smtpd
 *   would send (request, protocol_state, client_address, sender,
 *   recipient, ...; values compared case-insensitively). A policy server
 *   with no matching line is unreachable; an address without a verify line
 *   has a probe in progress.
 *
 *   A milter line is what the Milter application SERVER (as smtpd_milters
 *   or non_smtpd_milters name it) decides at STAGE: connect, helo, mail, rcpt, data, header,
 *   eoh, body, eom (end of message) or unknown (an unknown command). Its
 *   pairs are matched against what the Milter knows at that point:
 *   client_name, client_address, helo, sender, recipient. VERDICT is
 *   continue, accept (the rest of the connection at connect and helo, else
 *   of the message), reject, tempfail, discard, quarantine [reason] (eom
 *   only) or an SMTP reply `4NN text` / `5NN text`. A stage without a
 *   matching line continues. A Milter with no line at all is not running:
 *   smtpd (or cleanup) cannot connect to it and milter_default_action
 *   applies. The types live in mail/milter.ts, which resolve shares.
 * SEE ALSO
 *   SMTPD_POLICY_README, MILTER_README, ADDRESS_VERIFICATION_README
 */
import type { Diagnostic } from '../../trace/types.ts';
import { MILTER_STAGES } from '../../mail/milter.ts';
import type { MilterFact, MilterFacts, MilterStage } from '../../mail/milter.ts';

export { MILTER_STAGES };
export type { MilterFact, MilterStage };

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

const MILTER_VERDICTS = ['continue', 'accept', 'reject', 'tempfail', 'discard', 'quarantine'];

export interface OutsideFacts extends MilterFacts {
  /** The facts file, as named in diagnostics and trace sources. */
  file: string;
  policy: readonly PolicyFact[];
  milter: readonly MilterFact[];
  verify: ReadonlyMap<string, VerifyFact>;
  diagnostics: readonly Diagnostic[];
  /** The action for a policy request, or undefined when the server does not answer. */
  policyAnswer(server: string, attrs: ReadonlyMap<string, string>): PolicyFact | undefined;
}

/** pairs - `name=value` words as a map, or the word that is not one. */
function pairs(words: readonly string[]): Map<string, string> | string {
  const match = new Map<string, string>();
  for (const p of words) {
    const eq = p.indexOf('=');
    if (eq <= 0) return p;
    match.set(p.slice(0, eq), p.slice(eq + 1));
  }
  return match;
}

/** parseFacts - policy and verify facts from text. */
export function parseFacts(text: string, file = 'facts'): OutsideFacts {
  const policy: PolicyFact[] = [];
  const milter: MilterFact[] = [];
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
      const [server, ...words] = line.slice('policy'.length, arrow).trim().split(/\s+/);
      if (!server) return bad('policy fact needs a server');
      const match = pairs(words);
      if (typeof match === 'string') return bad(`expected name=value, got "${match}"`);
      policy.push({ server, match, action: line.slice(arrow + 2).trim(), line: i + 1 });
    } else if (kind === 'milter') {
      const arrow = line.indexOf('=>');
      if (arrow < 0) return bad('milter fact needs "=> VERDICT"');
      const [server, stage, ...words] = line.slice('milter'.length, arrow).trim().split(/\s+/);
      if (!server || !stage) return bad('milter fact is "milter SERVER STAGE [name=value ...] => VERDICT"');
      if (!(MILTER_STAGES as readonly string[]).includes(stage)) return bad(`milter stage must be one of ${MILTER_STAGES.join(' ')}, not "${stage}"`);
      const match = pairs(words);
      if (typeof match === 'string') return bad(`expected name=value, got "${match}"`);
      const verdict = line.slice(arrow + 2).trim();
      const word = verdict.split(/\s+/)[0]!.toLowerCase();
      if (!MILTER_VERDICTS.includes(word) && !/^[45]\d\d(?: |$)/.test(verdict))
        return bad(`milter verdict must be one of ${MILTER_VERDICTS.join(', ')} or an SMTP reply "4NN text" or "5NN text", not "${verdict}"`);
      if (word === 'quarantine' && stage !== 'eom') return bad('a Milter can quarantine only at eom');
      milter.push({ server, stage: stage as MilterStage, match, verdict, line: i + 1 });
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
    milter,
    milterRuns: (server) => milter.some((m) => m.server === server),
    milterAnswer(server, stage, attrs) {
      return milter.find((m) => m.server === server && m.stage === stage && [...m.match].every(([k, v]) => (attrs[k] ?? '').toLowerCase() === v.toLowerCase()));
    },
  };
}

export const NO_FACTS: OutsideFacts = parseFacts('');
