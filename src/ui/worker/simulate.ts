/*
 * NAME
 *   simulate - the SMTP-session and address-resolution requests, in the worker
 * DESCRIPTION
 *   Wires the engine as `postfix-sim smtpd` (src/cli/smtpd.ts) does: main.cf
 *   from /etc/postfix/main.cf of the workspace, the service's -o overrides
 *   from master.cf when there is one, one table cache shared by the
 *   resolver and smtpd, DNS and policy/verify facts from their files. A
 *   configuration Postfix would refuse comes back as `configFatal`, in the
 *   words Postfix logs it; nothing here throws for bad input.
 */
import { loadMainCf, parseMasterCf, postconfShow, serviceView } from '../../engine/index.ts';
import type { Diagnostic, Host, MainCf, MasterCf, ParameterView, TableCache } from '../../engine/index.ts';
import {
  agentsFromMasterCf,
  commandLineAddress,
  createResolver,
  createTableCache,
  DEBIAN_AGENTS,
  mailOutcome,
  NO_DNS,
  NO_FACTS,
  parseDialogue,
  parseDnsFacts,
  parseFacts,
  prepareSmtpd,
  runClient,
} from '../../engine/index.ts';
import type { Agent } from '../../engine/index.ts';
import type { ConfigFatal, ResolveAnswer, ResolveRequest, SmtpdAnswer, SmtpdRequest } from './protocol.ts';

const CONFIG = '/etc/postfix';
const decoder = new TextDecoder();

const text = (host: Host, path: string): string | undefined => {
  const bytes = host.readFile(path);
  return bytes && decoder.decode(bytes);
};

/** A fatal error as `program` logs it, located at its file and line (taken from the text when not given). */
function fatal(program: string, d: Diagnostic): ConfigFatal {
  const line = d.line ?? Number(/(?:, line |: line )(\d+)/.exec(d.message)?.[1] ?? NaN);
  return {
    text: `${program}: fatal: ${d.message}`,
    diagnostic: { ...d, severity: 'fatal', ...(Number.isInteger(line) && { line }) },
  };
}

interface Config {
  main: MainCf;
  master?: MasterCf;
  params: ParameterView;
  diagnostics: Diagnostic[];
  configFatal?: ConfigFatal;
}

/** main.cf, master.cf and the service's view of the parameters. */
function loadConfig(host: Host, service: string, program: string): Config {
  const mainText = text(host, `${CONFIG}/main.cf`);
  const main = loadMainCf(mainText);
  const diagnostics = [...main.diagnostics];
  const out: Config = { main, params: main, diagnostics };
  if (mainText === undefined)
    return {
      ...out,
      configFatal: fatal(program, { severity: 'fatal', message: `open ${CONFIG}/main.cf: No such file or directory`, file: `${CONFIG}/main.cf` }),
    };
  if (main.error) return { ...out, configFatal: fatal(program, main.error) };
  // The daemons are silent about parameters they do not know; postconf names them.
  const postconf = postconfShow({ nondefault: true, names: [], configDirectory: CONFIG, readFile: (path) => text(host, path) });
  for (const m of postconf.messages) {
    const unused = /^warning: (\S+): unused parameter: (.*)$/.exec(m);
    if (unused) diagnostics.push({ severity: 'warning', message: `postconf: unused parameter: ${unused[2]}`, file: unused[1]! });
  }
  const masterText = text(host, `${CONFIG}/master.cf`);
  if (masterText === undefined) {
    if (service !== 'smtp')
      return { ...out, configFatal: fatal(program, { severity: 'fatal', message: `no ${CONFIG}/master.cf to find service "${service}" in` }) };
    return out;
  }
  const master = parseMasterCf(masterText);
  diagnostics.push(...master.diagnostics);
  if (master.error) return { ...out, master, configFatal: fatal('postfix/master', master.error) };
  const entry = master.services.find((s) => s.type === 'inet' && (s.service === service || s.service.endsWith(`:${service}`)));
  if (!entry && service !== 'smtp')
    return {
      ...out,
      master,
      configFatal: fatal(program, { severity: 'fatal', message: `no inet service "${service}" in ${CONFIG}/master.cf`, file: `${CONFIG}/master.cf` }),
    };
  return { ...out, master, params: entry ? serviceView(main, master, entry.service, entry.type) : main };
}

/** Delivery agents: the workspace's master.cf, else Debian's. */
const agentsOf = (master: MasterCf | undefined): Record<string, Agent> => (master ? agentsFromMasterCf(master) : { ...DEBIAN_AGENTS });

/** Tables kept between requests (worker/table-cache.ts), for the parameters a program sees. */
export type CacheFor = (params: ParameterView) => TableCache;

/** runSmtpdRequest - one SMTP session, as `postfix-sim smtpd --log` plays it. */
export async function runSmtpdRequest(host: Host, req: SmtpdRequest, cacheFor?: CacheFor): Promise<SmtpdAnswer> {
  const service = req.service.trim() || 'smtp';
  const cfg = loadConfig(host, service, 'postfix/smtpd');
  const diagnostics = cfg.diagnostics;
  const dnsText = req.dnsPath.trim() ? text(host, req.dnsPath.trim()) : undefined;
  const factsText = req.factsPath.trim() ? text(host, req.factsPath.trim()) : undefined;
  const dns = dnsText === undefined ? NO_DNS : parseDnsFacts(dnsText, req.dnsPath.trim());
  const facts = factsText === undefined ? NO_FACTS : parseFacts(factsText, req.factsPath.trim());
  diagnostics.push(...dns.diagnostics, ...facts.diagnostics);
  if (cfg.configFatal) return { configFatal: cfg.configFatal, diagnostics };

  const cache = cacheFor?.(cfg.params) ?? createTableCache(host, cfg.params);
  const agents = agentsOf(cfg.master);
  const resolver = await createResolver(cfg.params, { host, cache, agents });
  const smtpd = await prepareSmtpd({ host, params: cfg.params, cache, resolver, dns, facts, service });
  const dialogue = parseDialogue(req.dialogue);
  const addr = req.clientAddr.trim() || dialogue.client || '127.0.0.1';
  const name = req.clientName.trim();
  const fingerprint = req.ccertFingerprint.trim();
  const pkeyFingerprint = req.ccertPkeyFingerprint.trim();
  const encrypted = req.tls || fingerprint !== '';
  const tls = encrypted
    ? { ...(fingerprint && { ccert: { fingerprint, verified: req.ccertVerified, ...(pkeyFingerprint && { pkeyFingerprint }) } }) }
    : undefined;
  const client = { addr, ...(name !== '' && { name }), ...(tls && { tls }) };
  const session = runClient(smtpd, dialogue.text, client, { pipelined: dialogue.pipelined });
  const outcomes = session.accepted.map((m) => mailOutcome(m, resolver, (t) => agents[t]?.command));
  return { diagnostics, client, session, outcomes };
}

/** runResolveRequest - `sendmail -bv` for each address: cleanup, trivial-rewrite, the delivery agents. */
export async function runResolveRequest(host: Host, req: ResolveRequest, cacheFor?: CacheFor): Promise<ResolveAnswer> {
  const cfg = loadConfig(host, 'smtp', 'postfix/sendmail');
  const sender = req.sender.trim();
  if (cfg.configFatal) return { configFatal: cfg.configFatal, diagnostics: cfg.diagnostics, startup: [], sender, addresses: [] };
  // sendmail and the daemons it feeds read main.cf only (no master.cf -o overrides).
  const resolver = await createResolver(cfg.main, { host, agents: agentsOf(cfg.master), ...(cacheFor && { cache: cacheFor(cfg.main) }) });
  const startup = Object.entries(resolver.startup).flatMap(([program, ds]) => ds.map((diagnostic) => ({ program, diagnostic })));
  const addresses = req.addresses
    .map((a) => a.trim())
    .filter((a) => a !== '')
    .map((input) => {
      const { trace: _trace, ...resolve } = resolver.resolve(sender, input);
      return { input, resolve, result: resolver.resolveDelivery(commandLineAddress(sender), commandLineAddress(input)) };
    });
  return { diagnostics: cfg.diagnostics, startup, sender, addresses };
}
