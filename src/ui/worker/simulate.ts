/*
 * NAME
 *   simulate - the SMTP-session and address-resolution requests, in the worker
 * DESCRIPTION
 *   Both run on the engine's scenario (openScenario), as `postfix-sim smtpd`
 *   and `postfix-sim resolve` do. A configuration Postfix would refuse comes
 *   back as `configFatal`, in the words Postfix logs it; nothing here throws
 *   for bad input. What the simulator does not model comes back as
 *   `notices` (the Notices pane).
 */
import { mailOutcome, openScenario } from '../../engine/index.ts';
import type { ClientInput, Diagnostic, Host, ParameterView, Scenario, TableCache } from '../../engine/index.ts';
import type { ConfigFatal, Notice, ResolveAnswer, ResolveRequest, SmtpdAnswer, SmtpdRequest } from './protocol.ts';

/** A fatal error as `program` logs it (the diagnostic's own program, when it names one). */
const configFatal = (program: string, d: Diagnostic): ConfigFatal => ({ text: `${d.program ?? program}: fatal: ${d.message}`, diagnostic: d });

/**
 * notices - the scenario's notices as the Notices pane lists them: the
 * parameter, what is not simulated and for which program, where it is set.
 */
function notices(list: readonly Diagnostic[]): Notice[] {
  return list.map((d) => {
    const set = /^(\S+) is set: not simulated$/.exec(d.message);
    return {
      ...(set ? { parameter: set[1]!, message: `not simulated${d.program ? ` (${d.program})` : ''}` } : { message: d.message }),
      ...(d.file !== undefined && { file: d.file }),
      ...(d.line !== undefined && { line: d.line }),
    };
  });
}

/** Tables kept between requests (worker/table-cache.ts), for the parameters a program sees. */
export type CacheFor = (params: ParameterView) => TableCache;

/** runSmtpdRequest - one SMTP session, as `postfix-sim smtpd --log` plays it. */
export async function runSmtpdRequest(host: Host, req: SmtpdRequest, cacheFor?: CacheFor): Promise<SmtpdAnswer> {
  const dnsPath = req.dnsPath.trim();
  const factsPath = req.factsPath.trim();
  // On the page a facts path names a file that may not exist yet: no file means no facts.
  const scenario = await openScenario({
    host,
    service: req.service,
    ...(cacheFor && { tableCache: cacheFor }),
    ...(dnsPath && host.readFile(dnsPath) && { dnsPath }),
    ...(factsPath && host.readFile(factsPath) && { factsPath }),
  });
  const diagnostics = [...scenario.diagnostics];
  if (scenario.fatal) return { configFatal: configFatal('postfix/smtpd', scenario.fatal), diagnostics };
  const fingerprint = req.ccertFingerprint.trim();
  const pkeyFingerprint = req.ccertPkeyFingerprint.trim();
  const encrypted = req.tls || fingerprint !== '';
  const tls = encrypted
    ? { ...(fingerprint && { ccert: { fingerprint, verified: req.ccertVerified, ...(pkeyFingerprint && { pkeyFingerprint }) } }) }
    : undefined;
  // postscreen in front of smtpd, or several connections: as `postfix-sim smtpd` decides.
  if (scenario.postscreen || /^#\s*connection\b/im.test(req.dialogue)) return playConnections(scenario, req, diagnostics, tls);
  const played = (await scenario.play(req.dialogue, { addr: req.clientAddr, name: req.clientName, ...(tls && { tls }) }))!;
  if ('error' in played) return { configFatal: { text: `postfix-sim: ${played.error.message}`, diagnostic: played.error }, diagnostics };
  return { diagnostics, client: played.client, session: played.session, outcomes: played.outcomes, notices: notices(scenario.notices.play) };
}

/** playConnections - each connection through postscreen (when the service runs it) and smtpd, with what became of its mail. */
async function playConnections(scenario: Scenario, req: SmtpdRequest, diagnostics: Diagnostic[], tls: ClientInput['tls']): Promise<SmtpdAnswer> {
  const addr = req.clientAddr.trim();
  const name = req.clientName.trim();
  const client = addr ? `${addr}${name ? `,${name}` : ''}` : undefined;
  const played = (await scenario.playConnections(req.dialogue, { file: 'dialogue', ...(client && { client }), ...(tls && { tls }) }))!;
  const resolver = await scenario.smtpdResolver();
  const connections = played.connections.map((c) => ({
    ...c,
    outcomes: c.accepted.map((m) => mailOutcome(m, resolver, (t) => scenario.agents[t]?.command)),
  }));
  const ps = played.postscreen;
  const shown: Notice[] = [
    ...(ps?.notices ?? []).map((message) => {
      const parameter = /^postscreen_\w+/.exec(message)?.[0];
      return { message, ...(parameter && { parameter }) };
    }),
    ...notices(scenario.notices.play),
  ];
  const answer: SmtpdAnswer = {
    diagnostics: [...diagnostics, ...played.diagnostics.map((d) => ({ ...d, program: 'postfix-sim' }))],
    connections,
    multi: played.multi,
    postscreen: scenario.postscreen,
    ...(shown.length > 0 && { notices: shown }),
  };
  if (ps?.fatal)
    answer.configFatal = {
      text: `${ps.program}: fatal: ${ps.fatal}`,
      diagnostic: { severity: 'fatal', message: ps.fatal, program: ps.program, file: '/etc/postfix/main.cf' },
    };
  return answer;
}

/** runResolveRequest - `sendmail -bv` for each address: cleanup, trivial-rewrite, the delivery agents. */
export async function runResolveRequest(host: Host, req: ResolveRequest, cacheFor?: CacheFor): Promise<ResolveAnswer> {
  const sender = req.sender.trim();
  // The Milters of non_smtpd_milters decide as the workspace's facts file says (no file: no facts).
  const factsPath = (req.factsPath ?? '').trim();
  const scenario = await openScenario({ host, ...(cacheFor && { tableCache: cacheFor }), ...(factsPath && host.readFile(factsPath) && { factsPath }) });
  const diagnostics = [...scenario.diagnostics];
  if (scenario.fatal) return { configFatal: configFatal('postfix/sendmail', scenario.fatal), diagnostics, startup: [], sender, addresses: [] };
  const addresses = req.addresses.map((a) => a.trim()).filter((a) => a !== '');
  const resolved = (await scenario.resolve(sender, addresses))!;
  return { diagnostics, startup: resolved.startup, sender, addresses: resolved.addresses, notices: notices(scenario.notices.resolve) };
}
