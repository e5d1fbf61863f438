/*
 * NAME
 *   smtpd - the simulator's smtpd: play an SMTP dialogue against a configuration
 * SYNOPSIS
 *   postfix-sim smtpd [-c config_dir] [--service NAME] [--client ADDR[,NAME]]
 *                     [--dns FILE] [--facts FILE] [--log] [--json] [--trace] < dialogue
 * DESCRIPTION
 *   The dialogue is the client side of an SMTP session as typed into
 *   telnet (leading `#` lines are comments; `# client: ADDR` sets the
 *   client). Prints the server's side; --log adds the log lines, --trace
 *   every decision as indented text, --json all of it as data. The connection comes from 127.0.0.1
 *   (localhost) unless --client says otherwise; XCLIENT in the dialogue is
 *   honoured when smtpd_authorized_xclient_hosts allows it, as in Postfix.
 *   DNS answers come from --dns (default: config_dir/dns when it exists),
 *   policy and verify answers from --facts. Nothing real is queried.
 *   --tls says the session is encrypted; --ccert gives the client
 *   certificate's fingerprint (and public-key fingerprint), --ccert-verified
 *   that its chain is trusted. When master.cf's service runs postscreen, or
 *   the dialogue has `# connection` lines, the connections engine plays it
 *   (postscreen first, then the smtpd it hands clients to; see
 *   render-connections.ts for the output).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMainCf, parseMasterCf, postconfShow, serviceView } from '../engine/index.ts';
import type { Host } from '../engine/index.ts';
import { createTableCache } from '../engine/search/index.ts';
import { createResolver } from '../engine/resolve/index.ts';
import { NO_DNS, NO_FACTS, parseDialogue, parseDnsFacts, parseFacts, prepareSmtpd, runClient } from '../engine/smtpd/index.ts';
import { parseConnections, prepareConnections, runConnections } from '../engine/index.ts';
import { renderConnections } from './render-connections.ts';
import { createNodeHost, DEFAULT_CONFIG_DIRECTORY } from './node-host.ts';
import type { CommandOutput } from './postmap.ts';
import { renderTrace } from './render-trace.ts';

const USAGE =
  'usage: postfix-sim smtpd [-c config_dir] [--service NAME] [--client ADDR[,NAME]] [--dns FILE] [--facts FILE] [--tls] [--ccert FPR[,PKEYFPR]] [--ccert-verified] [--log] [--json] [--trace] < dialogue';

export interface SmtpdIo {
  stdin: string;
  host?: Host;
  /** Reads --dns and --facts files (default: the file system). */
  readText?: (path: string) => string | undefined;
}

const readDisk = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** runSmtpd - one `postfix-sim smtpd` command line; never throws for bad input. */
export async function runSmtpd(argv: readonly string[], io: SmtpdIo): Promise<CommandOutput> {
  let configDirectory: string | undefined;
  let service = 'smtp';
  let client: string | undefined;
  let dnsFile: string | undefined;
  let factsFile: string | undefined;
  let log = false;
  let json = false;
  let trace = false;
  let tls = false;
  let ccert: string | undefined;
  let ccertVerified = false;
  const fail = (message: string): CommandOutput => ({ stdout: '', stderr: `postfix-sim smtpd: ${message}\n${USAGE}\n`, status: 2 });
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string | undefined => argv[++i];
    if (a === '-c') configDirectory = value();
    else if (a.startsWith('-c') && a.length > 2) configDirectory = a.slice(2);
    else if (a === '--service') service = value() ?? '';
    else if (a === '--client') client = value();
    else if (a === '--dns') dnsFile = value();
    else if (a === '--facts') factsFile = value();
    else if (a === '--log') log = true;
    else if (a === '--json') json = true;
    else if (a === '--trace') trace = true;
    else if (a === '--tls') tls = true;
    else if (a === '--ccert') ccert = value();
    else if (a === '--ccert-verified') ccertVerified = true;
    else return fail(`unknown argument "${a}"`);
    if ([configDirectory, service, client, dnsFile, factsFile].some((v) => v === '')) return fail(`option ${a} needs a value`);
  }
  if (argv.some((a, i) => ['-c', '--service', '--client', '--dns', '--facts', '--ccert'].includes(a) && argv[i + 1] === undefined))
    return fail('an option is missing its value');
  const readText = io.readText ?? readDisk;
  const dir = configDirectory ?? DEFAULT_CONFIG_DIRECTORY;
  const host = io.host ?? createNodeHost(configDirectory === undefined ? {} : { configDirectory });
  const decoder = new TextDecoder();
  const file = (name: string): string | undefined => {
    const bytes = host.readFile(`${DEFAULT_CONFIG_DIRECTORY}/${name}`);
    return bytes && decoder.decode(bytes);
  };
  const mainText = file('main.cf');
  if (mainText === undefined) return { stdout: '', stderr: `postfix-sim smtpd: fatal: open ${dir}/main.cf: No such file or directory\n`, status: 1 };
  const main = loadMainCf(mainText);
  if (main.error) return { stdout: '', stderr: `postfix/smtpd: fatal: ${main.error.message}\n`, status: 1 };
  const masterText = file('master.cf');
  let params = main as import('../engine/index.ts').ParameterView;
  const master = masterText === undefined ? undefined : parseMasterCf(masterText);
  if (master) {
    const entry = master.services.find((s) => s.type === 'inet' && (s.service === service || s.service.endsWith(`:${service}`)));
    if (!entry && service !== 'smtp') return fail(`no service "${service}" in ${dir}/master.cf`);
    if (entry) params = serviceView(main, master, entry.service, entry.type);
  } else if (service !== 'smtp') return fail(`no master.cf in ${dir} to find service "${service}"`);

  const dnsPath = dnsFile ?? (existsSync(join(dir, 'dns')) ? join(dir, 'dns') : undefined);
  const dnsText = dnsPath === undefined ? undefined : readText(dnsPath);
  if (dnsPath !== undefined && dnsText === undefined)
    return { stdout: '', stderr: `postfix-sim smtpd: fatal: open ${dnsPath}: No such file or directory\n`, status: 1 };
  const factsText = factsFile === undefined ? undefined : readText(factsFile);
  if (factsFile !== undefined && factsText === undefined)
    return { stdout: '', stderr: `postfix-sim smtpd: fatal: open ${factsFile}: No such file or directory\n`, status: 1 };
  const dns = dnsText === undefined ? NO_DNS : parseDnsFacts(dnsText, dnsPath);
  const facts = factsText === undefined ? NO_FACTS : parseFacts(factsText, factsFile);

  // smtpd itself says nothing about parameters it does not know; postconf does, so show its words.
  const postconf = postconfShow({
    nondefault: true,
    names: [],
    configDirectory: DEFAULT_CONFIG_DIRECTORY,
    readFile: (path) => {
      const bytes = host.readFile(path);
      return bytes && decoder.decode(bytes);
    },
  });
  const unused = postconf.messages
    .filter((m) => m.includes(': unused parameter: '))
    .map((m) => `postconf: ${m}\n`)
    .join('');
  const warnings = (list: readonly { message: string }[]): string => list.map((d) => `postfix-sim smtpd: warning: ${d.message}\n`).join('');

  // Several connections, or postscreen in front of smtpd: the connections engine plays them (postscreen's cache spans them).
  const connections = parseConnections(io.stdin, 'stdin', client === undefined ? {} : { client });
  const inet = master?.services.find((s) => s.type === 'inet' && (s.service === service || s.service.endsWith(`:${service}`)));
  if (connections.multi || inet?.argv[7] === 'postscreen') {
    const [fingerprint, pkeyFingerprint] = (ccert ?? '').split(',');
    const tlsFacts =
      tls || ccert !== undefined || ccertVerified
        ? { ...(fingerprint && { ccert: { fingerprint, verified: ccertVerified, ...(pkeyFingerprint && { pkeyFingerprint }) } }) }
        : undefined;
    const prepared = await prepareConnections({ host, main, ...(master && { master }), service, dns, facts });
    const result = runConnections(prepared, connections, { trace: json || trace, ...(tlsFacts && { tls: tlsFacts }) });
    const notes = (prepared.postscreen?.notices ?? []).map((n) => `postfix-sim smtpd: notice: ${n}\n`).join('');
    const out = renderConnections(result.connections, { service, multi: connections.multi, log, json, trace });
    const daemon = prepared.postscreen?.fatal ? prepared.postscreen.program : 'postfix/smtpd';
    const fatals = json ? '' : [...new Set(result.connections.flatMap((c) => (c.fatal ? [`${daemon}: fatal: ${c.fatal}\n`] : [])))].join('');
    return {
      stdout: out.stdout,
      stderr: unused + warnings([...dns.diagnostics, ...facts.diagnostics, ...connections.diagnostics]) + notes + fatals,
      status: out.status,
    };
  }

  const cache = createTableCache(host, params);
  const resolver = await createResolver(params, { host, cache });
  const cfg = await prepareSmtpd({ host, params, cache, resolver, dns, facts, service });
  const dialogue = parseDialogue(io.stdin);
  const [addr, name] = (client ?? dialogue.client ?? '127.0.0.1').split(',');
  const [fingerprint, pkeyFingerprint] = (ccert ?? '').split(',');
  const tlsFacts =
    tls || ccert !== undefined || ccertVerified
      ? { ...(fingerprint && { ccert: { fingerprint, verified: ccertVerified, ...(pkeyFingerprint && { pkeyFingerprint }) } }) }
      : undefined;
  const result = runClient(
    cfg,
    dialogue.text,
    { addr: addr!, ...(name !== undefined && { name }), ...(tlsFacts && { tls: tlsFacts }) },
    { trace: json || trace, pipelined: dialogue.pipelined },
  );
  let stderr = unused + warnings([...dns.diagnostics, ...facts.diagnostics]);
  if (json)
    return {
      stdout:
        JSON.stringify(
          {
            service,
            exchanges: result.exchanges,
            log: result.log,
            accepted: result.accepted,
            trace: result.trace,
            ...(result.fatal && { fatal: result.fatal }),
          },
          null,
          2,
        ) + '\n',
      stderr,
      status: result.fatal ? 1 : 0,
    };
  let stdout = result.exchanges
    .flatMap((e) => e.server)
    .map((l) => l + '\n')
    .join('');
  if (log) stdout += result.log.map((l) => `${l.program}: ${l.text}\n`).join('');
  if (trace) stdout += renderTrace(result.trace);
  if (result.fatal) stderr += `postfix/smtpd: fatal: ${result.fatal}\n`;
  return { stdout, stderr, status: result.fatal ? 1 : 0 };
}
