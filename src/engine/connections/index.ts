/*
 * NAME
 *   connections - a dialogue of connections against a service: postscreen, then smtpd
 * SYNOPSIS
 *   const prepared = await prepareConnections({ host, main, master, service, dns, facts })
 *   runConnections(prepared, parseConnections(text), { trace }) -> { connections: [...] }
 * DESCRIPTION
 *   When master.cf's inet service for the connections (default smtp) runs
 *   postscreen(8), each client meets postscreen first, in time order, with
 *   one postscreen cache for the whole dialogue; a client postscreen passes
 *   continues the same connection with the smtpd of the pass service it
 *   hands over to (private/$smtpd_service_name, `smtpd pass ... smtpd`),
 *   including any text it sent before the greeting. Otherwise each
 *   connection is an smtpd session, as `postfix-sim smtpd` always played.
 *
 *   Each result is shaped like an smtpd SessionResult (exchanges, log,
 *   trace, accepted mail) plus `connection` (who, when) and, behind
 *   postscreen, `postscreen` (its verdict). The first exchange holds all
 *   the client got before its first line: postscreen's teaser, smtpd's or
 *   the dummy engine's greeting, and the answers to early text.
 * SEE ALSO
 *   postscreen(8), smtpd(8), POSTSCREEN_README
 */
import type { MainCf, ParameterView } from '../config/maincf.ts';
import { serviceView } from '../config/maincf.ts';
import { mailDaemonViews } from '../config/daemons.ts';
import type { MasterCf, MasterService } from '../config/mastercf.ts';
import type { DnsFacts } from '../dns/facts.ts';
import { NO_DNS } from '../dns/facts.ts';
import { Postscreen, preparePostscreen } from '../postscreen/index.ts';
import type { PostscreenConfig } from '../postscreen/index.ts';
import { createResolver } from '../resolve/index.ts';
import type { Agent } from '../resolve/index.ts';
import { createTableCache } from '../search/index.ts';
import type { TableCache } from '../search/index.ts';
import { prepareSmtpd, runClient } from '../smtpd/index.ts';
import type { ClientFacts, Exchange, LogLine, OutsideFacts, SessionResult, SmtpdConfig } from '../smtpd/index.ts';
import type { Host } from '../tables/types.ts';
import type { PostscreenEvent, PostscreenVerdict, SourceLine } from '../trace/types.ts';
import type { ConnectionDialogue } from './dialogue.ts';

export { parseConnections, unescapePregreet } from './dialogue.ts';
export type { ConnectionDialogue, ConnectionSpec } from './dialogue.ts';

export interface ConnectionsOptions {
  host: Host;
  main: MainCf;
  master?: MasterCf;
  /** The inet service the clients connect to (default smtp). */
  service?: string;
  dns?: DnsFacts;
  facts?: OutsideFacts;
  cache?: TableCache;
  /** Passed to the resolver smtpd uses (local accounts, delivery agents). */
  users?: Iterable<string>;
  agents?: Readonly<Record<string, Agent>>;
}

export interface PreparedConnections {
  service: string;
  /** Present when the service runs postscreen. */
  postscreen?: PostscreenConfig;
  /** The smtpd the clients reach (behind postscreen: the pass service; undefined when master.cf has none). */
  smtpd?: SmtpdConfig;
  /** The master.cf name of that smtpd service. */
  smtpdService?: string;
  /** The master.cf line of the pass service postscreen hands clients to. */
  passSource?: SourceLine;
}

export interface ConnectionResult extends SessionResult {
  connection: { index: number; client: string; server: string; port: string; start: number; end: number };
  postscreen?: PostscreenVerdict;
  /** postscreen's decisions, before smtpd's `trace` (when the service runs postscreen): one `connection` event with its steps. */
  postscreenTrace?: PostscreenEvent[];
  /** What the client sent before the greeting (`# pregreet:`), escapes undone. */
  pregreet?: string;
}

export interface RunConnectionsOptions {
  /** Build the trace (default true). */
  trace?: boolean;
  /** The client port of each connection (default 20000 + its index, as the golden recorder uses). */
  ports?: readonly string[];
  /** The sessions are encrypted, with these client-certificate facts (smtpd's part; see `postfix-sim smtpd --tls`). */
  tls?: ClientFacts['tls'];
}

const findInet = (master: MasterCf | undefined, service: string): MasterService | undefined =>
  master?.services.find((s) => s.type === 'inet' && (s.service === service || s.service.endsWith(`:${service}`)));

/** The port a master.cf inet service listens on. */
function servicePort(service: string): string {
  const name = service.includes(':') ? service.slice(service.lastIndexOf(':') + 1) : service;
  const known: Record<string, string> = { smtp: '25', submission: '587', submissions: '465', smtps: '465' };
  return /^\d+$/.test(name) ? name : (known[name] ?? '25');
}

/** prepareConnections - read the service's postscreen (if it runs one) and the smtpd the clients reach. */
export async function prepareConnections(o: ConnectionsOptions): Promise<PreparedConnections> {
  const service = o.service ?? 'smtp';
  const entry = findInet(o.master, service);
  const runsPostscreen = entry?.argv[7] === 'postscreen';
  const inetParams: ParameterView = entry && o.master ? serviceView(o.main, o.master, entry.service, 'inet') : o.main;
  const cache = o.cache ?? createTableCache(o.host, inetParams);
  const dns = o.dns ?? NO_DNS;
  const smtpdFor = async (params: ParameterView, name: string): Promise<SmtpdConfig> => {
    // trivial-rewrite, cleanup, local and virtual run with their own master.cf entries, not smtpd's -o.
    const views = mailDaemonViews(o.main, o.master, params);
    const resolver = await createResolver(params, { host: o.host, cache, views, ...(o.users && { users: o.users }), ...(o.agents && { agents: o.agents }) });
    return prepareSmtpd({ host: o.host, params, cache, resolver, dns, service: name, ...(o.facts && { facts: o.facts }) });
  };
  if (!runsPostscreen) return { service, smtpd: await smtpdFor(inetParams, service), smtpdService: entry?.service ?? service };
  const postscreen = await preparePostscreen({ host: o.host, params: inetParams, cache, dns });
  const pass = o.master?.services.find((s) => s.type === 'pass' && s.service === postscreen.smtpdService);
  if (!pass || !o.master) return { service, postscreen };
  return {
    service,
    postscreen,
    smtpd: await smtpdFor(serviceView(o.main, o.master, pass.service, 'pass'), pass.service),
    smtpdService: pass.service,
    passSource: { file: o.master.path, line: pass.line },
  };
}

/** The postscreen lines that follow the pre-greeting tests: dnsblog's lines go before them. */
const AFTER_DNS = /^(PASS (NEW|OLD)|DNSBL rank|DISCONNECT|NOQUEUE|HANGUP|DATA without|BDAT without|COMMAND|NON-SMTP|BARE NEWLINE)/;

/** runConnections - every connection of the dialogue, in order, sharing postscreen's cache. */
export function runConnections(p: PreparedConnections, dialogue: ConnectionDialogue, options: RunConnectionsOptions = {}): { connections: ConnectionResult[] } {
  const trace = options.trace ?? true;
  const cfg = p.postscreen;
  const ps = cfg && !cfg.fatal ? new Postscreen(cfg, { smtpdAvailable: p.smtpd !== undefined, ...(p.passSource && { passSource: p.passSource }) }) : undefined;
  // What the simulator does not model of this postscreen: said once, before the first connection.
  const notices: PostscreenEvent[] = (cfg?.notices ?? []).map((text) => ({ kind: 'notice', text }));
  const serverPort = servicePort(p.service);
  const out: ConnectionResult[] = [];
  let previousEnd = 0;
  let smtpdStarted = false;
  dialogue.connections.forEach((spec, index) => {
    const start = spec.at ?? (index === 0 ? 0 : previousEnd);
    const port = options.ports?.[index] ?? String(20000 + index);
    const connection = { index: index + 1, client: spec.client, server: spec.server, port, start, end: start };
    const smtpd = (input: string): SessionResult => {
      const first = !smtpdStarted;
      smtpdStarted = true;
      return runClient(
        p.smtpd!,
        input,
        { addr: spec.client, port, ...(spec.name !== undefined && { name: spec.name }), ...(options.tls && { tls: options.tls }) },
        { trace, pipelined: spec.pipelined, startupLog: first },
      );
    };
    if (!cfg) {
      const r = smtpd(spec.lines.join('\n') + '\n');
      out.push({ ...r, connection });
      return;
    }
    if (cfg.fatal) {
      const master = (text: string): LogLine => ({ program: 'postfix/master', text: `warning: ${text}` });
      const daemon = '/usr/lib/postfix/sbin/postscreen';
      const log: LogLine[] =
        index === 0
          ? [
              ...cfg.startup.map((text) => ({ program: cfg.program, text })),
              { program: cfg.program, text: `fatal: ${cfg.fatal}` },
              master(`process ${daemon} pid PID exit status 1`),
              master(`${daemon}: bad command startup -- throttling`),
            ]
          : [];
      out.push({
        exchanges: [{ server: [] }],
        log,
        trace: [],
        postscreenTrace: [{ kind: 'no-start', reason: cfg.fatal }],
        accepted: [],
        fatal: cfg.fatal,
        connection,
      });
      return;
    }
    const r = ps!.connect({
      addr: spec.client,
      port,
      server: spec.server,
      serverPort,
      at: start,
      ...(spec.pregreet !== undefined && { pregreet: spec.pregreet }),
      lines: spec.lines,
      pipelined: spec.pipelined,
      bareNewline: spec.bareNewline,
    });
    connection.end = r.verdict.end;
    previousEnd = r.verdict.end;
    const log: LogLine[] = r.log.map((text) => ({ program: cfg.program, text }));
    const dnsblogProgram = `${cfg.params.get('syslog_name') || 'postfix'}/dnsblog`;
    const at = log.findIndex((l) => AFTER_DNS.test(l.text));
    log.splice(at < 0 ? log.length : at, 0, ...r.dnsblog.map((text) => ({ program: dnsblogProgram, text })));
    const exchanges: Exchange[] = r.exchanges.map((e) => ({ ...(e.client !== undefined && { client: e.client }), server: [...e.server] }));
    let session: SessionResult | undefined;
    if (r.handoff) {
      // smtpd reads what the client sent early, then its lines; its answers to early lines come before the client's first line.
      const early = r.handoff.unread.replace(/\r\n/g, '\n');
      session = smtpd(early + spec.lines.join('\n') + '\n');
      const earlyLines = (early.match(/\n/g) ?? []).length;
      const [greeting, ...rest] = session.exchanges;
      exchanges[0]!.server.push(...(greeting?.server ?? []), ...rest.slice(0, earlyLines).flatMap((e) => e.server));
      exchanges.push(...rest.slice(earlyLines));
      log.push(...session.log);
    }
    out.push({
      exchanges,
      log,
      trace: session?.trace ?? [],
      postscreenTrace: index === 0 ? [...notices, ...r.trace] : r.trace,
      accepted: session?.accepted ?? [],
      ...(session?.fatal && { fatal: session.fatal }),
      ...(session?.crashed && { crashed: session.crashed }),
      connection,
      postscreen: r.verdict,
      ...(spec.pregreet !== undefined && { pregreet: spec.pregreet }),
    });
  });
  return { connections: out };
}
