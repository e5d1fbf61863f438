/*
 * NAME
 *   resolver - one configuration's resolver: rewrite, resolve, and the delivery pipeline
 * SYNOPSIS
 *   const r = await createResolver(params, { host, cache?, facts?, agents?, users? })
 *   r.rewrite('local', externalAddress)      trivial-rewrite's rewrite request
 *   r.resolve(sender, internalAddress)       trivial-rewrite's resolve request
 *   r.resolveDelivery(sender, address)       cleanup, qmgr and the delivery agents
 * DESCRIPTION
 *   Opens every list and table the parameters name, once (through the
 *   shared table cache), as trivial-rewrite, cleanup, local and virtual do
 *   at start-up; what Postfix logs while opening is in `diagnostics`.
 *   After that every request is synchronous and never throws.
 * SEE ALSO
 *   trivial-rewrite(8), cleanup(8), local(8), virtual(8)
 */
import { NO_MILTER_FACTS } from '../mail/milter.ts';
import type { MilterFacts } from '../mail/milter.ts';
import { splitList } from '../util/lists.ts';
import type { ParameterView } from '../config/maincf.ts';
import type { MachineFacts, ParamName } from '../config/names.ts';
import { DEFAULT_FACTS } from '../config/names.ts';
import type { SearchContext, TableCache, TableFlags } from '../search/context.ts';
import { createTableCache } from '../search/context.ts';
import type { MatchList, MatchListKind } from '../search/match-list.ts';
import { matchParentStyle, openMatchList } from '../search/match-list.ts';
import type { Maps } from '../search/maps.ts';
import { makeMaps, openMaps } from '../search/maps.ts';
import type { Host, Table } from '../tables/types.ts';
import type { AddressEvent, Diagnostic } from '../trace/types.ts';
import type { Agent } from './agents.ts';
import { DEBIAN_AGENTS } from './agents.ts';
import { createLocalDomains, ownAddresses } from './local.ts';
import { expansionTypes } from './local-agent.ts';
import { bool, int, str, warnCompatBreak } from './params.ts';
import { checkParameters, myoriginOf } from '../config/checks.ts';
import type { DeliveryResult, PipelineState } from './pipeline.ts';
import { cleanupAddresses, resolveDelivery } from './pipeline.ts';
import type { CleanupResult } from './pipeline.ts';
import type { ResolveReply, ResolveState } from './resolve.ts';
import { RESOLVE, resolveAddr, resolveClassOf } from './resolve.ts';
import type { RewriteRule, RewriteSettings } from './rewrite.ts';
import { rewriteExternal, rewriteInternal } from './rewrite.ts';

/** Options of createResolver. */
export interface ResolverOptions {
  host: Host;
  /** Share opened tables with other simulations of the same configuration. */
  cache?: TableCache;
  /** The machine's interfaces (inet_interfaces = all) and host name. */
  facts?: MachineFacts;
  /**
   * The accounts local(8) knows (getpwnam), when the caller decides them;
   * by default local asks unix:passwd.byname (Debian's base accounts plus
   * /etc/postfix/passwd).
   */
  users?: Iterable<string>;
  /** Transport name to delivery agent (master.cf); default Debian's master.cf. */
  agents?: Readonly<Record<string, Agent>>;
  /**
   * The parameters each daemon runs with, when master.cf gives it -o
   * overrides (config/daemons.ts daemonView): trivial-rewrite's for address
   * classes and rewriting, cleanup's for canonical, masquerading and
   * virtual aliases, local's and virtual's for delivery. Default: `params`.
   */
  views?: Partial<Record<Program, ParameterView>>;
  /** What the Milters of non_smtpd_milters decide (milter facts); without them every Milter is unreachable. */
  milterFacts?: MilterFacts;
}

/** A configured resolver. */
export interface Resolver {
  /** What Postfix logged while opening lists and tables. */
  readonly diagnostics: readonly Diagnostic[];
  /** The same, by the program that opens them (trivial-rewrite, cleanup, local, virtual). */
  readonly startup: Readonly<Record<Program, readonly Diagnostic[]>>;
  /** trivial-rewrite `rewrite`: external (quoted) form in and out. */
  rewrite(rule: RewriteRule, address: string): { address: string; trace: AddressEvent[] };
  /** rewrite_clnt_internal(): internal form in and out. */
  rewriteInternal(rule: RewriteRule, address: string): { address: string; trace: AddressEvent[] };
  /** trivial-rewrite `resolve` (address in internal form), as smtpd and qmgr get it. */
  resolve(sender: string, address: string): ResolveReply;
  /** resolve_class(): the class flag of a domain, or -1 on a lookup error. */
  resolveClass(domain: string): number;
  /**
   * cleanup, qmgr and the delivery agents: the final recipients of one
   * address, as for sendmail -bv's probe (`probe` false: a message that
   * does not name sender and recipient in its headers, as from smtpd);
   * `delivered`: the message's Delivered-To: addresses (deliveredHdrInit).
   */
  resolveDelivery(sender: string, address: string, probe?: boolean, delivered?: ReadonlySet<string>): DeliveryResult;
  /** cleanup alone: what becomes of the envelope before qmgr, and whether cleanup refuses it. */
  cleanupAddresses(sender: string, address: string): CleanupResult;
}

/** The programs whose start-up opens tables. */
export type Program = 'trivial-rewrite' | 'cleanup' | 'local' | 'virtual';

/** createResolver - open everything the parameters name and return the resolver. */
export async function createResolver(params: ParameterView, options: ResolverOptions): Promise<Resolver> {
  const cache = options.cache ?? createTableCache(options.host, params);
  const views: Record<Program, ParameterView> = {
    'trivial-rewrite': options.views?.['trivial-rewrite'] ?? params,
    cleanup: options.views?.cleanup ?? params,
    local: options.views?.local ?? params,
    virtual: options.views?.virtual ?? params,
  };
  // One search context per daemon: its own parameters (parent_domain_matches_subdomains...), one shared table cache.
  const contexts = Object.fromEntries(Object.entries(views).map(([p, v]) => [p, { host: options.host, params: v, cache }])) as Record<Program, SearchContext>;
  const tr = views['trivial-rewrite'];
  const facts = options.facts ?? DEFAULT_FACTS;
  const diagnostics: Diagnostic[] = [];
  const startup: Record<Program, Diagnostic[]> = { 'trivial-rewrite': [], cleanup: [], local: [], virtual: [] };
  let program: Program = 'trivial-rewrite';
  const log = (d: readonly Diagnostic[]): void => {
    diagnostics.push(...d);
    startup[program].push(...d);
  };
  // What trivial-rewrite and cleanup refuse in their parameters when they start (they then die: the fatal
  // error is logged). local and virtual start only when mail goes to them (virtual without a
  // virtual_mailbox_base, the default, would die), so their checks are left to whoever delivers.
  for (const p of ['trivial-rewrite', 'cleanup'] as const) {
    const checked = checkParameters(views[p], p, { readFile: (path) => options.host.readFile(path) });
    startup[p].push(...checked.warnings, ...(checked.fatal ? [checked.fatal] : []));
    diagnostics.push(...checked.warnings, ...(checked.fatal ? [checked.fatal] : []));
  }
  const list = async (name: ParamName, kind: MatchListKind): Promise<MatchList | undefined> => {
    const value = str(views[program], name);
    if (value.trim() === '') return undefined;
    const l = await openMatchList(contexts[program], name, value, kind);
    log(l.diagnostics);
    return l;
  };
  const maps = async (name: ParamName, flags: TableFlags = {}): Promise<Maps | undefined> => {
    const value = str(views[program], name);
    if (splitList(value).length === 0) return undefined;
    const m = await openMaps(contexts[program], name, value, flags);
    log(m.diagnostics);
    return m;
  };
  const noRegsub = { noRegsub: true };
  /** alias_maps: indexed tables are postalias-built alias databases (the table cache knows, see aliasDatabaseHost). */
  const aliasMaps = async (): Promise<Maps | undefined> => {
    const specs = splitList(str(views.local, 'alias_maps'));
    if (specs.length === 0) return undefined;
    const tables = await Promise.all(specs.map((s) => cache.open(s)));
    const m = makeMaps('alias_maps', tables);
    log(m.diagnostics);
    return m;
  };
  const mydestination = await list('mydestination', 'string');
  const local = createLocalDomains(mydestination, ownAddresses(tr, facts));

  // Assigned below; the rewrite settings close over it before it exists.
  // eslint-disable-next-line prefer-const
  let state: ResolveState;
  const rewrite: RewriteSettings = {
    // Debian's Postfix reads a myorigin that starts with `/` from that file.
    myorigin: myoriginOf(tr, (path) => options.host.readFile(path)),
    mydomain: str(tr, 'mydomain'),
    remoteRewriteDomain: str(tr, 'remote_header_rewrite_domain'),
    swapBangpath: bool(tr, 'swap_bangpath'),
    percentHack: bool(tr, 'allow_percent_hack'),
    appendAtMyorigin: bool(tr, 'append_at_myorigin'),
    appendDotMydomain: bool(tr, 'append_dot_mydomain'),
    warnAppendDotMydomain: warnCompatBreak(tr, 'append_dot_mydomain', '1'),
    localhostIsDefaultClass: () => resolveClassOf(state, 'localhost') === RESOLVE.CLASS_DEFAULT,
  };
  const find = {
    recipientDelimiter: str(tr, 'recipient_delimiter'),
    myorigin: rewrite.myorigin,
    isLocal: (d: string) => local.resolveLocal(d),
    ownerRequestSpecial: bool(tr, 'owner_request_special'),
    doubleBounceSender: str(tr, 'double_bounce_sender'),
  };
  state = {
    rewrite,
    local,
    ...opt('virtAliasDoms', await list('virtual_alias_domains', 'string')),
    ...opt('virtMailboxDoms', await list('virtual_mailbox_domains', 'string')),
    ...opt('relayDomains', await list('relay_domains', 'domain')),
    ...opt('transportMaps', await maps('transport_maps', noRegsub)),
    transportParentStyle: matchParentStyle(contexts['trivial-rewrite'], 'transport_maps'),
    ...opt('relocatedMaps', await maps('relocated_maps')),
    ...opt('sndRelayMaps', await maps('sender_dependent_relayhost_maps', noRegsub)),
    ...opt('sndDefXportMaps', await maps('sender_dependent_default_transport_maps', noRegsub)),
    find,
    p: {
      myhostname: str(tr, 'myhostname'),
      emptyAddressRecipient: str(tr, 'empty_address_recipient'),
      localTransport: str(tr, 'local_transport'),
      virtualTransport: str(tr, 'virtual_transport'),
      relayTransport: str(tr, 'relay_transport'),
      defaultTransport: str(tr, 'default_transport'),
      relayhost: str(tr, 'relayhost'),
      nullRelayKey: str(tr, 'empty_address_relayhost_maps_lookup_key'),
      nullDefXportKey: str(tr, 'empty_address_default_transport_maps_lookup_key'),
      swapBangpath: rewrite.swapBangpath,
      percentHack: rewrite.percentHack,
      resolveDequoted: bool(tr, 'resolve_dequoted_address'),
      resolveNullDomain: bool(tr, 'resolve_null_domain'),
      resolveNumericDomain: bool(tr, 'resolve_numeric_domain'),
      helpfulWarnings: bool(tr, 'helpful_warnings'),
      showUnknownRcptTable: bool(tr, 'show_user_unknown_table_name'),
      allowMinUser: bool(tr, 'allow_min_user'),
      smtputf8: bool(tr, 'smtputf8_enable'),
      configDirectory: str(tr, 'config_directory') || '/etc/postfix',
    },
  };
  program = 'cleanup';
  const cleanupMaps = {
    ...opt('canonical', await maps('canonical_maps')),
    ...opt('senderCanonical', await maps('sender_canonical_maps')),
    ...opt('recipientCanonical', await maps('recipient_canonical_maps')),
    ...opt('masqExceptions', await list('masquerade_exceptions', 'string')),
    ...opt('virtualAlias', await maps('virtual_alias_maps')),
  };
  program = 'local';
  const localAliases = await aliasMaps();
  program = 'virtual';
  const virtualMaps = {
    ...opt('mailboxMaps', await maps('virtual_mailbox_maps')),
    ...opt('uidMaps', await maps('virtual_uid_maps')),
    ...opt('gidMaps', await maps('virtual_gid_maps')),
  };
  const cl = views.cleanup;
  const classes = (name: ParamName): Set<string> => new Set(splitList(str(cl, name)).map((c) => c.toLowerCase()));
  const decoder = new TextDecoder();
  const pipeline: PipelineState = {
    resolve: state,
    cleanup: {
      find: { ...find, recipientDelimiter: str(cl, 'recipient_delimiter'), ownerRequestSpecial: bool(cl, 'owner_request_special') },
      rewrite,
      expansionLimit: int(cl, 'virtual_alias_expansion_limit'),
      recursionLimit: int(cl, 'virtual_alias_recursion_limit'),
      addressLengthLimit: int(cl, 'virtual_alias_address_length_limit'),
    },
    ...cleanupMaps,
    canonClasses: classes('canonical_classes'),
    senderCanonClasses: classes('sender_canonical_classes'),
    recipientCanonClasses: classes('recipient_canonical_classes'),
    masqDomains: splitList(str(cl, 'masquerade_domains')),
    masqClasses: classes('masquerade_classes'),
    propagate: classes('propagate_unmatched_extensions'),
    emptyAddressRecipient: str(cl, 'empty_address_recipient'),
    myorigin: rewrite.myorigin,
    agents: options.agents ?? DEBIAN_AGENTS,
    milters: {
      spec: str(cl, 'non_smtpd_milters'),
      defaultAction: str(cl, 'milter_default_action'),
      softBounce: str(cl, 'soft_bounce').toLowerCase() === 'yes',
      facts: options.milterFacts ?? NO_MILTER_FACTS,
    },
    local: {
      ...opt('aliasMaps', localAliases),
      // getpwnam(), through the same table local_recipient_maps uses.
      passwd: options.users ? usersTable(options.users) : await cache.open('unix:passwd.byname'),
      recipientDelimiter: find.recipientDelimiter,
      ownerRequestSpecial: find.ownerRequestSpecial,
      doubleBounceSender: find.doubleBounceSender,
      commandsFrom: expansionTypes(str(views.local, 'allow_mail_to_commands')),
      filesFrom: expansionTypes(str(views.local, 'allow_mail_to_files')),
      luserRelay: str(views.local, 'luser_relay'),
      fallbackTransport: str(views.local, 'fallback_transport'),
      mailboxTransport: str(views.local, 'mailbox_transport'),
      mailboxCommand: str(views.local, 'mailbox_command'),
      homeMailbox: str(views.local, 'home_mailbox'),
      mailSpoolDirectory: str(views.local, 'mail_spool_directory'),
      readFile: (path) => {
        const b = options.host.readFile(path);
        return b && decoder.decode(b);
      },
    },
    virtual: {
      ...virtualMaps,
      mailboxBase: str(views.virtual, 'virtual_mailbox_base'),
      minimumUid: int(views.virtual, 'virtual_minimum_uid'),
      find,
    },
  };

  return {
    diagnostics,
    startup,
    rewrite(rule, address) {
      const trace: AddressEvent[] = [];
      return { address: rewriteExternal(rule, address, rewrite, trace), trace };
    },
    rewriteInternal(rule, address) {
      const trace: AddressEvent[] = [];
      return { address: rewriteInternal(rule, address, rewrite, trace), trace };
    },
    resolve: (sender, address) => resolveAddr(state, sender, address),
    resolveClass: (domain) => resolveClassOf(state, domain),
    resolveDelivery: (sender, address, probe, delivered) => resolveDelivery(pipeline, sender, address, probe, delivered),
    cleanupAddresses: (sender, address) => cleanupAddresses(pipeline, sender, address, []),
  };
}

/** usersTable - a getpwnam() stand-in that knows only these names (entries are placeholders). */
function usersTable(users: Iterable<string>): Table {
  const names = new Set([...users].map((u) => u.toLowerCase()));
  const spec = 'unix:passwd.byname';
  return {
    spec,
    type: 'unix',
    name: 'passwd.byname',
    fixed: true,
    diagnostics: [],
    lookup: (key) => {
      const k = key.toLowerCase();
      const trace = { table: spec, key, notes: ['accounts given by the caller'] };
      return names.has(k) ? { status: 'found', value: `${k}:x:::::`, trace } : { status: 'notfound', trace };
    },
  };
}

/** opt - `{ [key]: value }` when value is defined (exactOptionalPropertyTypes). */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
