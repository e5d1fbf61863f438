/*
 * NAME
 *   resolve - where Postfix would deliver an address, as sendmail -bv reports it
 * SYNOPSIS
 *   postfix-sim resolve [-c config_dir] [-f sender] [--facts FILE] [--json] address...
 * DESCRIPTION
 *   Each ADDRESS is taken as sendmail(1) takes a recipient on its command
 *   line and goes through cleanup (rewriting, canonical maps, masquerading,
 *   virtual aliases), trivial-rewrite (class, transport, nexthop) and the
 *   delivery agent (local aliases, virtual mailboxes, error, pipe, smtp).
 *   Plain output starts with sendmail -bv's own line ("Mail Delivery
 *   Status Report will be mailed to <SENDER>.") and has one line per
 *   final recipient, worded like that delivery status report, followed by its class,
 *   transport and nexthop; --json prints one object per ADDRESS with the
 *   final recipients and the whole trace. What Postfix would log
 *   (warnings) goes to stderr as `postfix/PROGRAM: warning: ...`; settings
 *   the simulator does not model as `postfix-sim resolve: notice: ...`.
 *
 *   With -c DIR, /etc/postfix/X is read from DIR/X. master.cf (when
 *   present) tells which delivery agent runs each transport; DIR/passwd
 *   (passwd(5) lines) adds local users to Debian's base accounts
 *   (unix:passwd.byname, which local(8) asks as getpwnam()). The
 *   sender defaults to `root`, as sendmail run by root. --facts FILE
 *   states what the Milters of non_smtpd_milters decide (`milter` lines,
 *   as for `postfix-sim smtpd`); a Milter no fact names is not running.
 *   Exit status: 0 when every address was resolved, 1 on a fatal error
 *   (bad main.cf) or when cleanup would not accept an address, 2 on usage.
 */
import { openScenario, externalForm } from '../engine/index.ts';
import { formatDiagnostic, formatNotices } from './report.ts';
import type { DeliveryResult, Diagnostic, FinalRecipient, Host } from '../engine/index.ts';
import { createNodeHost } from './node-host.ts';
import type { CommandOutput } from './postmap.ts';

const USAGE = 'usage: postfix-sim resolve [-c config_dir] [-f sender] [--facts FILE] [--json] address...';

/** runResolve - one `postfix-sim resolve` command line; never throws. */
export async function runResolve(argv: readonly string[], io: { host?: Host } = {}): Promise<CommandOutput> {
  let configDirectory: string | undefined;
  let sender = 'root';
  let json = false;
  let factsFile: string | undefined;
  const addresses: string[] = [];
  const usage = (why: string): CommandOutput => ({ stdout: '', stderr: `postfix-sim resolve: ${why}\n${USAGE}\n`, status: 2 });
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      addresses.push(...argv.slice(i + 1));
      break;
    }
    if (a === '--json') json = true;
    else if (a === '--facts') {
      factsFile = argv[++i];
      if (!factsFile) return usage(`option ${a} needs an argument`);
    } else if (a === '-c' || a === '-f') {
      const v = argv[++i];
      if (v === undefined) return usage(`option ${a} needs an argument`);
      if (a === '-c') configDirectory = v;
      else sender = v;
    } else if (/^-[cf]./.test(a)) {
      if (a[1] === 'c') configDirectory = a.slice(2);
      else sender = a.slice(2);
    } else if (a.startsWith('-') && a !== '-') return usage(`unknown option ${a}`);
    else addresses.push(a);
  }
  if (addresses.length === 0) return usage('no address given');

  const host = io.host ?? createNodeHost(configDirectory === undefined ? {} : { configDirectory });
  const scenario = await openScenario({ host, ...(factsFile !== undefined && { factsPath: factsFile }) });
  if (scenario.fatal) return { stdout: '', stderr: formatDiagnostic(scenario.fatal, 'postfix-sim resolve', configDirectory), status: 1 };
  const resolved = (await scenario.resolve(sender, addresses))!;

  let stdout = '';
  // Settings the simulator does not model, for trivial-rewrite, cleanup, local and virtual.
  let stderr = formatNotices(scenario.notices.resolve, 'resolve');
  // Problems with the facts file (a malformed milter line is skipped).
  if (factsFile !== undefined)
    for (const d of scenario.diagnostics) if (d.program === 'postfix-sim') stderr += formatDiagnostic(d, 'postfix-sim resolve', configDirectory);
  let status = 0;
  const log = (program: string, d: Diagnostic): void => {
    stderr += `postfix/${program}: ${d.severity === 'info' ? '' : `${d.severity}: `}${d.message}\n`;
  };
  for (const { program, diagnostic } of resolved.startup) log(program, diagnostic);
  const from = resolved.from;
  const results: object[] = [];
  for (const { input, result: d, error } of resolved.addresses) {
    if (error) {
      stderr += `postfix-sim: ${error.message}\n`;
      status = 1;
      continue;
    }
    for (const l of d.logged) log(l.program, l.diagnostic);
    if (d.defer) status = 1;
    if (json) results.push(toJson(input, d));
    else stdout += plain(input, d);
  }
  if (json) stdout = results.map((r) => JSON.stringify(r, null, 2)).join('\n') + '\n';
  // What sendmail -bv itself prints; the report it promises is what follows.
  else stdout = `Mail Delivery Status Report will be mailed to <${from}>.\n` + stdout;
  return { stdout, stderr, status };
}

/** What smtpd would answer for a message cleanup does not accept for now. */
const DEFER_REASON = { defer: '4.6.0 Alias expansion error', write: '4.3.0 queue file write error' } as const;

/** The plain report of one address. */
function plain(input: string, d: DeliveryResult): string {
  let out = `${input}:\n`;
  // Addresses as Postfix writes them: quoted local parts stay quoted.
  if (d.rewritten !== d.address) out += `  rewritten to ${externalForm(d.rewritten)}\n`;
  if (d.expanded.length !== 1 || d.expanded[0] !== d.rewritten) out += `  virtual aliases: ${d.expanded.map(externalForm).join(', ')}\n`;
  if (d.held) return out + '  held: cleanup puts the message in the hold queue\n';
  if (d.discarded) return out + '  discarded: cleanup drops the message\n';
  if (d.defer) return out + `  not accepted, try again later: ${d.defer.message}\n${d.cleanupStatus ? `  ${DEFER_REASON[d.cleanupStatus]}\n` : ''}`;
  for (const f of d.final) out += `  ${reportLine(f)}\n    class ${f.class}, transport ${f.transport}, nexthop ${f.nexthop}${target(f)}\n`;
  return out;
}

/** reportLine - one recipient as the delivery status report words it. */
function reportLine(f: FinalRecipient): string {
  const who = `<${f.to}>${f.origTo ? ` (expanded from <${f.origTo}>)` : ''}`;
  if (f.status === 'deliverable') return `${who}: delivery via ${f.relay}: ${f.text}`;
  if (f.status === 'unknown') return `${who}: ${f.text}`;
  return `${who}: ${f.dsn} ${f.text}`;
}

function target(f: FinalRecipient): string {
  const t = f.target;
  if (!t) return '';
  switch (t.kind) {
    case 'virtual-mailbox':
      return `\n    ${t.format} ${t.path} (uid ${t.uid}, gid ${t.gid})`;
    case 'mailbox':
      return `\n    mailbox of user ${t.user}`;
    default:
      return '';
  }
}

function toJson(input: string, d: DeliveryResult): object {
  return {
    address: input,
    sender: externalForm(d.sender),
    rewritten: externalForm(d.rewritten),
    expanded: d.expanded.map(externalForm),
    ...(d.held && { held: true }),
    ...(d.discarded && { discarded: true }),
    final: d.final.map((f) => ({
      recipient: f.to,
      class: f.class,
      transport: f.transport,
      nexthop: f.nexthop,
      to: f.to,
      ...(f.origTo !== undefined && { orig_to: f.origTo }),
      agent: f.agent,
      relay: f.relay,
      dsn: f.dsn,
      status: f.status,
      text: f.text,
      ...(f.target && { target: f.target }),
    })),
    ...(d.defer && { defer: d.defer }),
    warnings: d.logged.map((l) => ({ program: l.program, ...l.diagnostic })),
    trace: d.trace,
  };
}
