/*
 * NAME
 *   scenario - one configuration directory and its facts, prepared once
 * SYNOPSIS
 *   const scenario = await openScenario({ host, service, dnsPath, factsPath });
 *   scenario.fatal                      what Postfix refuses before anything runs
 *   await scenario.lookup(spec, key)    postmap -q (an alias database as postalias built it)
 *   await scenario.play(dialogue)       an SMTP session against the service
 *   await scenario.resolve(sender, rcpts)  sendmail -bv
 * DESCRIPTION
 *   A scenario is what one directory of files (/etc/postfix as the Host
 *   reads it: main.cf, master.cf, tables, .cf files, aliases, passwd) and
 *   the facts of the outside world (DNS, policy and verify answers) make of
 *   Postfix. This module is the one place that wires them: main.cf, the
 *   connection service's master.cf -o overrides, one table cache shared by
 *   the resolver and smtpd, the delivery agents master.cf names, and
 *   postconf's unused-parameter scan (the daemons are silent about names
 *   they do not know; postconf names them). The command line, the page's
 *   worker, the benchmarks and the golden harnesses all start here.
 *
 *   Nothing is thrown, for bad input or otherwise: problems are data. An
 *   error inside the simulator itself (a bug) becomes a one-line message
 *   naming what it was doing and with which input, never a stack trace.
 *   `diagnostics` are
 *   warnings about the input files; `fatal` is what Postfix would refuse
 *   to start with (a malformed main.cf or master.cf, a missing facts file
 *   that was asked for), in the words it logs, located at file and line.
 *   smtpd's own start-up (tables, classes, relay restrictions) is prepared
 *   on the first play() and reported in its session, as a real smtpd does.
 * SEE ALSO
 *   postconf(5), master(5), smtpd(8), trivial-rewrite(8), sendmail(1)
 */
import type { Diagnostic, LookupResult } from '../trace/types.ts';
import type { Host, Table } from '../tables/types.ts';
import { openTable } from '../tables/registry.ts';
import { parseAddress } from '../util/inet.ts';
import { splitList } from '../util/lists.ts';
import { loadMainCf, serviceView } from '../config/maincf.ts';
import type { MainCf, ParameterView } from '../config/maincf.ts';
import { parseMasterCf } from '../config/mastercf.ts';
import type { MasterCf } from '../config/mastercf.ts';
import { unusedParameters } from '../config/postconf.ts';
import { mailDaemonViews } from '../config/daemons.ts';
import { scenarioNotices } from './notices.ts';
import type { ScenarioNotices } from './notices.ts';
import { createTableCache, openAliasTable } from '../search/index.ts';
import type { TableCache } from '../search/index.ts';
import { agentsFromMasterCf, commandLineAddress, createResolver, DEBIAN_AGENTS } from '../resolve/index.ts';
import type { Agent, DeliveryResult, ResolveReply, Resolver } from '../resolve/index.ts';
import { parseConnections, prepareConnections, runConnections } from '../connections/index.ts';
import type { ConnectionResult, PreparedConnections } from '../connections/index.ts';
import type { PostscreenConfig } from '../postscreen/index.ts';
import { mailOutcome, NO_DNS, NO_FACTS, parseDialogue, parseDnsFacts, parseFacts, prepareSmtpd, runClient } from '../smtpd/index.ts';
import type { ClientFacts, DnsFacts, MailOutcome, OutsideFacts, SessionResult, SmtpdConfig } from '../smtpd/index.ts';

/** Where Postfix reads its configuration; the Host maps it to the user's files. */
export const CONFIG_DIRECTORY = '/etc/postfix';

/** What goes into a scenario. */
export interface ScenarioOptions {
  /** Files (/etc/postfix/... and any other path), the environment, and sql.js. */
  host: Host;
  /** The master.cf inet service clients connect to, whose -o overrides smtpd sees (default `smtp`). */
  service?: string;
  /** DNS facts (zone-file lines). Default: /etc/postfix/dns when it exists, else no DNS at all. */
  dnsPath?: string;
  /** Policy-server and address-verification facts. Default: none. */
  factsPath?: string;
  /** The local accounts (getpwnam) when the caller decides them; default unix:passwd.byname. */
  users?: Iterable<string>;
  /** Delivery agents by transport name when the caller decides them; default master.cf's, else Debian's. */
  agents?: Readonly<Record<string, Agent>>;
  /** Where opened tables are kept, for the parameters a program sees (the page keeps them between requests); default: new per scenario. */
  tableCache?: (params: ParameterView) => TableCache;
}

/** The client of one connection; the dialogue's `# client:` line and 127.0.0.1 fill what is not given. */
export interface ClientInput {
  addr?: string;
  /** Verified host name; when absent it is looked up in the DNS facts as smtpd would. */
  name?: string;
  /** The session is encrypted, with what the client certificate says (a fact, not a handshake). */
  tls?: ClientFacts['tls'];
  /** The client's port as smtpd logs it. */
  port?: string;
}

/** How to play a dialogue. */
export interface PlayOptions {
  /** Build the trace (default true). */
  trace?: boolean;
  /** Log smtpd's start-up messages in this session (default true; a real smtpd logs them once). */
  startupLog?: boolean;
}

/** One SMTP session played against the scenario. */
export type PlayOutcome = PlayResult | PlayRefused;

/** The session could not start: the client given cannot connect (e.g. `999.1.1.1`). */
export interface PlayRefused {
  error: Diagnostic;
}

/** A session that was played. */
export interface PlayResult {
  /** The client that connected, as used. */
  client: { addr: string; name?: string };
  session: SessionResult;
  /** What became of each accepted message (parallel to session.accepted). */
  outcomes: MailOutcome[];
}

/** How to play a dialogue of connections. */
export interface ConnectionsPlayOptions {
  /** The client of connections that do not name one (`ADDR[,NAME]`). */
  client?: string;
  /** Build the trace (default true). */
  trace?: boolean;
  /** The smtpd sessions are encrypted, with these client-certificate facts. */
  tls?: ClientFacts['tls'];
  /** What warnings about `# connection` lines call the dialogue (default `stdin`). */
  file?: string;
  /** The client port of each connection, as smtpd logs it (default 20000 + its index). */
  ports?: readonly string[];
}

/** A dialogue of connections played against the service: postscreen first when it runs one. */
export interface ConnectionsPlayResult {
  connections: ConnectionResult[];
  /** The dialogue had `# connection` lines (else it was one connection). */
  multi: boolean;
  /** Bad `# connection` lines, located. */
  diagnostics: Diagnostic[];
  /** The service's postscreen, when it runs one (its notices and start-up fatal error). */
  postscreen?: PostscreenConfig;
}

/** sendmail -bv for one address. */
export interface ResolvedAddress {
  /** As given. */
  input: string;
  /** The simulator failed on this address (an internal error, said in one line); `result` is then empty. */
  error?: Diagnostic;
  /** trivial-rewrite's answer to a `resolve` request for the address as typed. */
  resolve: Omit<ResolveReply, 'trace'>;
  /** cleanup, qmgr and the delivery agents. */
  result: DeliveryResult;
}

/** What resolving addresses produced. */
export interface ResolveResult {
  /** What trivial-rewrite, cleanup, local and virtual logged when they opened their tables. */
  startup: { program: string; diagnostic: Diagnostic }[];
  /** As typed. */
  sender: string;
  /** The envelope sender as sendmail takes it from the command line. */
  from: string;
  addresses: ResolvedAddress[];
}

/** A table opened in a scenario and one lookup in it. */
export interface ScenarioLookup {
  table: Table;
  result: LookupResult;
}

/** A prepared scenario. */
export interface Scenario {
  readonly main: MainCf;
  readonly master?: MasterCf;
  /** The service clients connect to. */
  readonly service: string;
  /** The parameters as that service's smtpd sees them (main.cf plus its -o overrides). */
  readonly params: ParameterView;
  /** Warnings about the input files: main.cf, master.cf, unused parameters, DNS and other facts. */
  readonly diagnostics: readonly Diagnostic[];
  /**
   * What the simulator does not model in this configuration, by what is
   * run: parameters set to a value it does not simulate ("X is set: not
   * simulated", config/coverage.ts) for each program involved, which is
   * `program`, and master.cf services a daemon's clients cannot reach.
   * `play`: smtpd sessions (postscreen when the service runs it, smtpd,
   * and trivial-rewrite, cleanup, local and virtual as its mail meets
   * them); `resolve`: sendmail -bv (trivial-rewrite, cleanup, local, virtual).
   */
  readonly notices: ScenarioNotices;
  /**
   * Postfix would not start with this configuration (severity `fatal`);
   * play() and resolve() then do nothing. Its `program` is set when the
   * program that says so is not the one simulated (`postfix/master` for
   * master.cf), so each front end prefixes its own program otherwise.
   */
  readonly fatal?: Diagnostic;
  readonly dns: DnsFacts;
  readonly facts: OutsideFacts;
  /** Delivery agents by transport name (master.cf, else Debian's). */
  readonly agents: Readonly<Record<string, Agent>>;
  /** postmap -q: open `spec` (as postmap, main.cf's default_database_type for a bare name) and look `key` up. */
  lookup(spec: string, key: string, options?: { noFold?: boolean }): Promise<ScenarioLookup>;
  /** smtpd for the service, prepared once (start-up problems are inside it). */
  smtpd(): Promise<SmtpdConfig>;
  /** trivial-rewrite, cleanup and the delivery agents as smtpd's service sees them, prepared once. */
  smtpdResolver(): Promise<Resolver>;
  /** The same as sendmail and the daemons it feeds see them: main.cf only. */
  resolver(): Promise<Resolver>;
  /** The connection service runs postscreen(8): clients meet it before smtpd (see playConnections). */
  readonly postscreen: boolean;
  /**
   * Play a dialogue of connections (`# connection` lines; without them, one
   * connection): postscreen first when the service runs it, sharing its
   * cache, then the smtpd it hands clients to. Undefined when `fatal` is set.
   */
  playConnections(dialogue: string, options?: ConnectionsPlayOptions): Promise<ConnectionsPlayResult | undefined>;
  /** Play one SMTP dialogue (the client side, as typed into telnet); undefined when `fatal` is set. */
  play(dialogue: string, client?: ClientInput, options?: PlayOptions): Promise<PlayOutcome | undefined>;
  /** sendmail -bv for each address, with `sender` (both as typed on a command line). */
  resolve(sender: string, addresses: readonly string[]): Promise<ResolveResult | undefined>;
}

const decoder = new TextDecoder();

/** The text of `path` as the Host has it, or undefined. */
function readText(host: Host, path: string): string | undefined {
  const bytes = host.readFile(path);
  return bytes && decoder.decode(bytes);
}

const noSuchFile = (path: string, program?: string): Diagnostic => ({
  severity: 'fatal',
  message: `open ${path}: No such file or directory`,
  file: path,
  ...(program && { program }),
});

/** The master.cf inet service a client connects to: `smtp` matches `smtp` and `127.0.0.1:smtp`. */
const connectionService = (master: MasterCf, service: string) =>
  master.services.find((s) => s.type === 'inet' && (s.service === service || s.service.endsWith(`:${service}`)));

/**
 * internalError - what the user sees of an error inside the simulator: one
 * line saying what it was doing with which input (`file` locates it), the
 * JavaScript error's name and message, no stack.
 */
export function internalError(doing: string, e: unknown, file?: string): Diagnostic {
  const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return {
    severity: 'error',
    program: 'postfix-sim',
    message: `internal error while ${doing}: ${what.replace(/\s*\n\s*/g, ' ')} (a bug in the simulator, not in your input)`,
    ...(file !== undefined && { file }),
  };
}

/** openScenario - read and check the configuration; never throws. */
export async function openScenario(options: ScenarioOptions): Promise<Scenario> {
  try {
    return await prepareScenario(options);
  } catch (e) {
    // The configuration could not even be read: a scenario that says so and does nothing.
    const main = loadMainCf('');
    const fatal: Diagnostic = {
      ...internalError(`reading ${CONFIG_DIRECTORY}/main.cf and the files it names`, e, `${CONFIG_DIRECTORY}/main.cf`),
      severity: 'fatal',
    };
    const never = (): Promise<never> => Promise.reject(new Error(fatal.message));
    return {
      main,
      service: options.service?.trim() || 'smtp',
      params: main,
      diagnostics: [],
      notices: { play: [], resolve: [] },
      fatal,
      dns: NO_DNS,
      facts: NO_FACTS,
      agents: { ...DEBIAN_AGENTS },
      lookup: (spec, key) => scenarioLookup(options.host, spec, key, false),
      smtpd: never,
      smtpdResolver: never,
      resolver: never,
      postscreen: false,
      play: async () => undefined,
      playConnections: async () => undefined,
      resolve: async () => undefined,
    };
  }
}

/** scenarioLookup - postmap -q through the scenario; an internal error is a lookup error that says so. */
async function scenarioLookup(host: Host, spec: string, key: string, noFold: boolean): Promise<ScenarioLookup> {
  const table = await openTable(spec, { host, foldFixed: !noFold, builtWithoutFolding: noFold });
  try {
    return { table, result: table.lookup(key) };
  } catch (e) {
    return { table, result: { status: 'error', error: internalError(`looking up "${key}" in ${spec}`, e), trace: { table: spec, key } } };
  }
}

/** prepareScenario - the work of openScenario(). */
async function prepareScenario(options: ScenarioOptions): Promise<Scenario> {
  const { host } = options;
  const service = options.service?.trim() || 'smtp';
  const diagnostics: Diagnostic[] = [];
  let fatal: Diagnostic | undefined;

  const mainText = readText(host, `${CONFIG_DIRECTORY}/main.cf`);
  const main = loadMainCf(mainText);
  diagnostics.push(...main.diagnostics);
  if (mainText === undefined) fatal = noSuchFile(`${CONFIG_DIRECTORY}/main.cf`);
  else if (main.error) fatal = main.error;

  const masterText = readText(host, `${CONFIG_DIRECTORY}/master.cf`);
  const master = masterText === undefined ? undefined : parseMasterCf(masterText);
  let params: ParameterView = main;
  if (master) {
    diagnostics.push(...master.diagnostics.map((d) => ({ ...d, program: 'postfix/master' })));
    if (master.error) fatal ??= { ...master.error, program: 'postfix/master' };
    const entry = connectionService(master, service);
    if (entry) params = serviceView(main, master, entry.service, entry.type);
    else if (service !== 'smtp')
      fatal ??= { severity: 'fatal', message: `no inet service "${service}" in ${CONFIG_DIRECTORY}/master.cf`, file: `${CONFIG_DIRECTORY}/master.cf` };
  } else if (service !== 'smtp') fatal ??= { severity: 'fatal', message: `no ${CONFIG_DIRECTORY}/master.cf to find service "${service}" in` };
  if (!fatal) diagnostics.push(...unusedParameters((path) => readText(host, path), CONFIG_DIRECTORY));

  // Facts: a file that was asked for must exist; the default DNS file is optional.
  const dnsPath = options.dnsPath ?? (host.readFile(`${CONFIG_DIRECTORY}/dns`) ? `${CONFIG_DIRECTORY}/dns` : undefined);
  const dnsText = dnsPath === undefined ? undefined : readText(host, dnsPath);
  if (dnsPath !== undefined && dnsText === undefined) fatal ??= noSuchFile(dnsPath, 'postfix-sim');
  const factsText = options.factsPath === undefined ? undefined : readText(host, options.factsPath);
  if (options.factsPath !== undefined && factsText === undefined) fatal ??= noSuchFile(options.factsPath, 'postfix-sim');
  const dns = dnsText === undefined ? NO_DNS : parseDnsFacts(dnsText, dnsPath);
  const facts = factsText === undefined ? NO_FACTS : parseFacts(factsText, options.factsPath);
  diagnostics.push(...[...dns.diagnostics, ...facts.diagnostics].map((d) => ({ ...d, program: 'postfix-sim' })));

  const agents: Readonly<Record<string, Agent>> = options.agents ?? (master ? agentsFromMasterCf(master) : { ...DEBIAN_AGENTS });
  const users = options.users && [...options.users];
  const cacheFor = (view: ParameterView): TableCache => options.tableCache?.(view) ?? createTableCache(host, view);
  const cache: TableCache = cacheFor(params);
  const once = <T>(make: () => Promise<T>): (() => Promise<T>) => {
    let p: Promise<T> | undefined;
    return () => (p ??= make());
  };
  // trivial-rewrite, cleanup, local and virtual run with their own master.cf entries, not smtpd's -o (config/daemons.ts).
  const smtpdDaemons = mailDaemonViews(main, master, params);
  const smtpdResolver = once(() => createResolver(params, { host, cache, agents, views: smtpdDaemons, ...(users && { users }) }));
  // sendmail and the daemons it feeds read main.cf and their own entries only (no -o overrides of the smtpd service).
  const mailDaemons = mailDaemonViews(main, master);
  const resolver = once(() =>
    createResolver(main, {
      host,
      agents,
      cache: cacheFor(main),
      views: mailDaemons,
      ...(users && { users }),
      milterFacts: facts,
    }),
  );
  const smtpd = once(async () => prepareSmtpd({ host, params, cache, resolver: await smtpdResolver(), dns, facts, service }));
  const entry = master && connectionService(master, service);
  const connections = once((): Promise<PreparedConnections> =>
    prepareConnections({ host, main, ...(master && { master }), service, dns, facts, cache, agents, ...(users && { users }) }),
  );

  return {
    main,
    ...(master && { master }),
    service,
    params,
    diagnostics,
    notices: fatal ? { play: [], resolve: [] } : scenarioNotices(main, master, params, entry?.argv[7] === 'postscreen', smtpdDaemons, mailDaemons),
    ...(fatal && { fatal }),
    dns,
    facts,
    agents,
    smtpd,
    smtpdResolver,
    resolver,
    postscreen: entry?.argv[7] === 'postscreen',

    async playConnections(text, options = {}) {
      if (fatal) return undefined;
      const dialogue = parseConnections(text, options.file ?? 'stdin', options.client === undefined ? {} : { client: options.client });
      const prepared = await connections();
      const result = runConnections(prepared, dialogue, {
        ...(options.trace !== undefined && { trace: options.trace }),
        ...(options.tls && { tls: options.tls }),
        ...(options.ports && { ports: options.ports }),
      });
      return { ...result, multi: dialogue.multi, diagnostics: dialogue.diagnostics, ...(prepared.postscreen && { postscreen: prepared.postscreen }) };
    },

    lookup: async (spec, key, { noFold = false } = {}) => {
      // newaliases and postalias build the tables alias_maps and alias_database name (postmap -q sees that database).
      const aliases = new Set((['alias_maps', 'alias_database'] as const).flatMap((name) => splitList(params.get(name) ?? '')));
      if (!aliases.has(spec)) return scenarioLookup(host, spec, key, noFold);
      const table = await openAliasTable(spec, host, main);
      return { table, result: table.lookup(key) };
    },

    async play(text, client = {}, options = {}) {
      if (fatal) return undefined;
      const cfg = await smtpd();
      const dialogue = parseDialogue(text);
      const addr = client.addr?.trim() || dialogue.client || '127.0.0.1';
      // The kernel hands smtpd a real address; a made-up one is the user's mistake, said plainly.
      if (!parseAddress(addr))
        return { error: { severity: 'error', program: 'postfix-sim', message: `bad client address "${addr}": not an IPv4 or IPv6 address` } };
      const name = client.name?.trim();
      const facts = { addr, ...(name && { name }), ...(client.port && { port: client.port }), ...(client.tls && { tls: client.tls }) };
      try {
        const session = runClient(cfg, dialogue.text, facts, { pipelined: dialogue.pipelined, ...options });
        const r = await smtpdResolver();
        const outcomes = session.accepted.map((m) => mailOutcome(m, r, (t) => agents[t]?.command));
        return { client: { addr, ...(name && { name }) }, session, outcomes };
      } catch (e) {
        return { error: internalError(`playing the SMTP dialogue from ${addr}`, e, 'dialogue') };
      }
    },

    async resolve(typedSender, addresses) {
      if (fatal) return undefined;
      const r = await resolver();
      const startup = Object.entries(r.startup).flatMap(([program, ds]) => ds.map((diagnostic) => ({ program, diagnostic })));
      // Command-line arguments are C strings: a NUL ends them.
      const cString = (s: string): string => s.split('\0')[0]!;
      const sender = cString(typedSender);
      const from = commandLineAddress(sender);
      return {
        startup,
        sender: typedSender,
        from,
        addresses: addresses.map((input) => {
          try {
            const { trace: _trace, ...answer } = r.resolve(sender, cString(input));
            return { input, resolve: answer, result: r.resolveDelivery(from, commandLineAddress(cString(input))) };
          } catch (e) {
            const error = internalError(`resolving "${input}" for sender "${sender}"`, e);
            const resolve = { transport: '', nexthop: '', recipient: input, flags: 0, class: 'default' as const, warnings: [] };
            return {
              input,
              error,
              resolve,
              result: { address: input, sender: from, rewritten: input, expanded: [], final: [], warnings: [], logged: [], trace: [] },
            };
          }
        }),
      };
    },
  };
}
