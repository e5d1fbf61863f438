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
 *   the dialogue has `# connection` lines, the dialogue is a series of
 *   connections: postscreen first, then the smtpd it hands clients to (see
 *   render-connections.ts for the output). Settings the simulator does not
 *   model go to stderr as `postfix-sim smtpd: notice: PROGRAM: ...`. The
 *   wiring is the engine's scenario (openScenario); this file parses
 *   arguments and prints.
 */
import { openScenario } from '../engine/index.ts';
import type { ClientInput, Host } from '../engine/index.ts';
import { formatDiagnostic, formatNotices } from './report.ts';
import { renderConnections } from './render-connections.ts';
import { createNodeHost } from './node-host.ts';
import type { CommandOutput } from './postmap.ts';
import { renderTrace } from './render-trace.ts';

const USAGE =
  'usage: postfix-sim smtpd [-c config_dir] [--service NAME] [--client ADDR[,NAME]] [--dns FILE] [--facts FILE] [--tls] [--ccert FPR[,PKEYFPR]] [--ccert-verified] [--log] [--json] [--trace] < dialogue';

export interface SmtpdIo {
  stdin: string;
  host?: Host;
  /** Reads --dns and --facts files (default: the host, i.e. the file system). */
  readText?: (path: string) => string | undefined;
}

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

  const base = io.host ?? createNodeHost(configDirectory === undefined ? {} : { configDirectory });
  const { readText } = io;
  const factsFiles = new Set([dnsFile, factsFile]);
  const host: Host = readText
    ? {
        ...base,
        readFile: (path) => {
          if (!factsFiles.has(path)) return base.readFile(path);
          const text = readText(path);
          return text === undefined ? undefined : new TextEncoder().encode(text);
        },
      }
    : base;
  const scenario = await openScenario({
    host,
    service,
    ...(dnsFile !== undefined && { dnsPath: dnsFile }),
    ...(factsFile !== undefined && { factsPath: factsFile }),
  });
  let stderr = scenario.diagnostics
    .filter((d) => d.program === 'postconf' || d.program === 'postfix-sim')
    .map((d) => formatDiagnostic(d, 'postfix/smtpd', configDirectory))
    .join('');
  if (scenario.fatal) return { stdout: '', stderr: stderr + formatDiagnostic(scenario.fatal, 'postfix/smtpd', configDirectory), status: 1 };
  // Settings the simulator does not model, for smtpd and the daemons its mail meets.
  stderr += formatNotices(scenario.notices.play, 'smtpd');

  const [fingerprint, pkeyFingerprint] = (ccert ?? '').split(',');
  const tlsFacts =
    tls || ccert !== undefined || ccertVerified
      ? { ...(fingerprint && { ccert: { fingerprint, verified: ccertVerified, ...(pkeyFingerprint && { pkeyFingerprint }) } }) }
      : undefined;

  // Several connections, or postscreen in front of smtpd: postscreen's cache spans the connections.
  if (scenario.postscreen || /^#\s*connection\b/im.test(io.stdin)) {
    const played = (await scenario.playConnections(io.stdin, {
      ...(client !== undefined && { client }),
      trace: json || trace,
      ...(tlsFacts && { tls: tlsFacts }),
    }))!;
    const ps = played.postscreen;
    const notices = (ps?.notices ?? []).map((n) => `postfix-sim smtpd: notice: ${n}\n`).join('');
    const out = renderConnections(played.connections, { service: scenario.service, multi: played.multi, log, json, trace });
    const daemon = ps?.fatal ? ps.program : 'postfix/smtpd';
    const fatals = json ? '' : [...new Set(played.connections.flatMap((c) => (c.fatal ? [`${daemon}: fatal: ${c.fatal}\n`] : [])))].join('');
    stderr += played.diagnostics.map((d) => formatDiagnostic(d, 'postfix-sim smtpd')).join('');
    return { stdout: out.stdout, stderr: stderr + notices + fatals, status: out.status };
  }

  const [addr, name] = (client ?? '').split(',');
  const who: ClientInput = { ...(addr && { addr }), ...(name !== undefined && { name }), ...(tlsFacts && { tls: tlsFacts }) };
  const played = (await scenario.play(io.stdin, who, { trace: json || trace }))!;
  if ('error' in played) return { stdout: '', stderr: stderr + formatDiagnostic(played.error, 'postfix/smtpd'), status: 1 };
  const result = played.session;
  if (json)
    return {
      stdout:
        JSON.stringify(
          {
            service: scenario.service,
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
