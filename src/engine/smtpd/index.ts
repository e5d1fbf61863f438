/*
 * NAME
 *   smtpd - public entry of the smtpd simulation
 * DESCRIPTION
 *   simulateSmtpd(): load a service's configuration (main.cf, master.cf,
 *   tables, DNS and other facts) and play one SMTP dialogue against it.
 * SEE ALSO
 *   smtpd(8)
 */
import type { ParameterView } from '../config/maincf.ts';
import type { Host } from '../tables/types.ts';
import type { TableCache } from '../search/index.ts';
import { createTableCache } from '../search/index.ts';
import { loadSmtpdConfig } from './restrictions/init.ts';
import type { RewriteResolve } from './restrictions/init.ts';
import type { SmtpdConfig } from './restrictions/checker.ts';
import type { DnsFacts } from '../dns/facts.ts';
import type { OutsideFacts } from './facts/outside.ts';
import { runSession } from './session/session.ts';
import type { ClientFacts, SessionOptions, SessionResult } from './session/context.ts';
import { lookupPeer } from './session/peer.ts';

export { loadSmtpdConfig } from './restrictions/init.ts';
export type { RewriteResolve, SmtpdConfigOptions } from './restrictions/init.ts';
export { runSession } from './session/session.ts';
export type { AcceptedMessage, ClientFacts, Exchange, SessionOptions, SessionResult } from './session/context.ts';
export { parseDnsFacts, NO_DNS } from '../dns/facts.ts';
export type { DnsFacts, DnsRecord, DnsAnswer, RecordType } from '../dns/facts.ts';
export { parseFacts, NO_FACTS } from './facts/outside.ts';
export type { OutsideFacts, PolicyFact, VerifyFact } from './facts/outside.ts';
export { parseDialogue } from './session/dialogue.ts';
export type { Dialogue } from './session/dialogue.ts';
export { RESTRICTION_NAMES } from './restrictions/index.ts';
export { lookupPeer } from './session/peer.ts';
export type { SmtpdConfig } from './restrictions/checker.ts';
export type { LogLine } from './state.ts';
export { mailOutcome } from './delivery.ts';
export type { Delivery, MailOutcome } from './delivery.ts';

export interface SimulateSmtpdOptions {
  host: Host;
  /** The service's parameter view (main.cf with its master.cf -o overrides). */
  params: ParameterView;
  service?: string;
  resolver: RewriteResolve;
  dns?: DnsFacts;
  facts?: OutsideFacts;
  cache?: TableCache;
}

/** prepareSmtpd - load once, then run several sessions with runSession(). */
export async function prepareSmtpd(options: SimulateSmtpdOptions): Promise<SmtpdConfig> {
  return loadSmtpdConfig(options.params, {
    host: options.host,
    resolver: options.resolver,
    cache: options.cache ?? createTableCache(options.host, options.params),
    ...(options.service !== undefined && { service: options.service }),
    ...(options.dns && { dns: options.dns }),
    ...(options.facts && { facts: options.facts }),
  });
}

/** runClient - a session from `client` (name looked up in the DNS facts when not given). */
export function runClient(cfg: SmtpdConfig, dialogue: string, client: ClientFacts, options: SessionOptions = {}): SessionResult {
  const facts = client.name === undefined ? { ...client, ...lookupPeer(cfg.dns, client.addr) } : client;
  const result = runSession(cfg, dialogue, facts, options);
  if (facts !== client && 'warning' in facts && facts.warning)
    result.log.splice(
      Math.max(
        0,
        result.log.findIndex((l) => l.text.startsWith('connect from')),
      ),
      0,
      { program: `${cfg.str('syslog_name') || 'postfix'}/smtpd`, text: `warning: ${facts.warning}` },
    );
  return result;
}
