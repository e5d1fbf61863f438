/*
 * NAME
 *   smtpd/restrictions/init - prepare a service's smtpd the way smtpd_check_init() does
 * DESCRIPTION
 *   Reads the restriction lists of one master.cf service (main.cf plus its
 *   -o overrides), opens every table they name and the tables smtpd uses
 *   for recipient validation, parses the restriction classes, and finds the
 *   start-up fatal errors real smtpd gives: a class without a definition, a
 *   bad tempfail action, and no relay-blocking restriction at all.
 * SEE ALSO
 *   postconf(5) (smtpd_*_restrictions, smtpd_restriction_classes), SMTPD_ACCESS_README
 */
import type { ParameterView } from '../../config/maincf.ts';
import type { Host } from '../../tables/types.ts';
import type { Diagnostic, LookupTrace } from '../../trace/types.ts';
import { splitList } from '../../util/lists.ts';
import { isRawParameter, parseCompatibilityLevel, compatBelow } from '../../config/names.ts';
import type { ParamName } from '../../config/names.ts';
import { checkParameters, myoriginOf } from '../../config/checks.ts';
import { createSearchContext, matchParentStyle, openMaps, openMatchList, mailAddrFind } from '../../search/index.ts';
import type { Maps, MatchList as SearchMatchList, SearchContext, TableCache } from '../../search/index.ts';
import type { DnsFacts } from '../../dns/facts.ts';
import { NO_DNS } from '../../dns/facts.ts';
import type { OutsideFacts } from '../facts/outside.ts';
import { NO_FACTS } from '../facts/outside.ts';
import type { RestrictionLists, SmtpdConfig } from './checker.ts';
import type { AccessMaps, MapsAnswer, MatchList, SmtpdResolver } from './deps.ts';
import { BUILTIN_CLASSES } from './index.ts';
import { levelProblem, tlsPolicy } from '../tls-sasl.ts';

/** What the resolver must offer smtpd: trivial-rewrite's rewrite and resolve. */
export interface RewriteResolve {
  /** rewrite_clnt_internal(): internal form in and out. */
  rewriteInternal(rule: 'local' | 'remote', address: string): { address: string };
  resolve(sender: string, address: string): { transport: string; nexthop: string; recipient: string; flags: number; warnings: Diagnostic[] };
  /** resolve_class(): the class flags of a domain, negative on a lookup error. */
  resolveClass?(domain: string): number;
  /** cleanup(8) for one envelope (internal form): whether it refuses the message for now, and how. */
  cleanupAddresses?(sender: string, address: string): { status?: 'defer' | 'write' };
}

export interface SmtpdConfigOptions {
  host: Host;
  service?: string;
  dns?: DnsFacts;
  facts?: OutsideFacts;
  cache?: TableCache;
  /** The shared resolver (trivial-rewrite) over the same configuration. */
  resolver: RewriteResolve;
}

const STAGES: readonly [keyof RestrictionLists, ParamName][] = [
  ['client', 'smtpd_client_restrictions'],
  ['helo', 'smtpd_helo_restrictions'],
  ['sender', 'smtpd_sender_restrictions'],
  ['relay', 'smtpd_relay_restrictions'],
  ['recipient', 'smtpd_recipient_restrictions'],
  ['etrn', 'smtpd_etrn_restrictions'],
  ['data', 'smtpd_data_restrictions'],
  ['eod', 'smtpd_end_of_data_restrictions'],
];

const RCPT_REQUIRED = ['reject_unauth_destination', 'defer_unauth_destination', 'reject', 'defer', 'defer_if_permit', 'check_relay_domains'];

function asAccessMaps(maps: Maps, spec: string): AccessMaps {
  return {
    spec,
    find(key, partial) {
      const r = maps.find(key, partial);
      return {
        status: r.status,
        ...(r.value !== undefined && { value: r.value }),
        lookups: r.trace.lookups,
        ...(r.trace.warnings && { warnings: r.trace.warnings }),
        ...(r.error && { error: r.error }),
      };
    },
  };
}

function asMatchList(list: SearchMatchList): MatchList {
  return {
    match: (...args) => {
      const r = list.match(...args);
      return { matched: r.matched, ...(r.error && { error: r.error }), trace: r.trace };
    },
  };
}

/**
 * hasRequired - does the list (or a class it names) block relaying? Postfix
 * walks classes depth-first without remembering where it has been: a class
 * that reaches itself before a blocking restriction makes smtpd recurse
 * until it dies, which `cycle` reports. Walked with a stack of its own, so
 * that a chain of thousands of classes costs no JavaScript stack.
 */
function hasRequired(list: readonly string[], classes: ReadonlyMap<string, string[]>, warn: (m: string) => void): boolean | { cycle: string[] } {
  // Each frame: a list, where we are in it, and the class it belongs to (the path).
  const frames: { list: readonly string[]; i: number; name?: string }[] = [{ list, i: 0 }];
  const onPath = new Set<string>();
  while (frames.length) {
    const f = frames[frames.length - 1]!;
    if (f.i >= f.list.length) {
      frames.pop();
      if (f.name !== undefined) onPath.delete(f.name);
      continue;
    }
    const written = f.list[f.i++]!;
    const r = written.toLowerCase();
    if (r === 'warn_if_reject' && f.i < f.list.length) {
      f.i++;
      continue;
    }
    if (r === 'permit') {
      if (f.i < f.list.length) warn(`restriction \`${f.list[f.i]}' after \`${written}' is ignored`);
      // permit ends this list; the list that named this class goes on.
      f.i = f.list.length;
      continue;
    }
    if (RCPT_REQUIRED.includes(r)) return true;
    const cls = classes.get(written);
    if (cls) {
      if (onPath.has(written)) return { cycle: [...frames.flatMap((x) => (x.name !== undefined ? [x.name] : [])), written] };
      onPath.add(written);
      frames.push({ list: cls, i: 0, name: written });
    }
  }
  return false;
}

/** loadSmtpdConfig - everything smtpd prepares before it answers a connection. */
export async function loadSmtpdConfig(params: ParameterView, options: SmtpdConfigOptions): Promise<SmtpdConfig> {
  const ctx: SearchContext = createSearchContext(options.host, params, options.cache);
  const startup: Diagnostic[] = [];
  let fatal: Diagnostic | undefined;
  let connectFatal: Diagnostic[] | undefined;
  // Parameters do not change while smtpd runs: expand each once.
  const strings = new Map<string, string>();
  const str = (name: ParamName): string => {
    let v = strings.get(name);
    if (v === undefined) {
      v = (isRawParameter(name) ? params.rawOrDefault(name) : params.get(name)) ?? '';
      strings.set(name, v);
    }
    return v;
  };
  const ints = new Map<string, number>();
  const int = (name: ParamName): number => {
    let v = ints.get(name);
    if (v === undefined) {
      const m = /^-?\d+/.exec(str(name).trim());
      ints.set(name, (v = m ? Number(m[0]) : 0));
    }
    return v;
  };
  const bools = new Map<string, boolean>();
  const bool = (name: ParamName): boolean => {
    let v = bools.get(name);
    if (v === undefined) bools.set(name, (v = /^(yes|true|1)$/i.test(str(name).trim())));
    return v;
  };
  const setFatal = (message: string): void => void (fatal ??= { severity: 'fatal', message });
  // The parameters smtpd reads and checks before anything else (config/checks.ts): the first bad one is fatal.
  const checked = checkParameters(params, 'smtpd', { readFile: (path) => options.host.readFile(path) });
  startup.push(...checked.warnings);
  if (checked.fatal) setFatal(checked.fatal.message);

  /** Access tables named in restriction lists, by the list token (map_command_table); opened below. */
  const tableSpecs = new Map<string, string>();
  async function parseList(value: string): Promise<string[]> {
    const list = splitList(value);
    for (let i = 0; i < list.length; i++) {
      const name = list[i]!;
      if (i > 0 && list[i - 1]!.toLowerCase() === 'check_policy_service') continue;
      if ((name.startsWith('{') || name.includes(':')) && !tableSpecs.has(name)) {
        const spec = name.startsWith('{')
          ? (name
              .slice(1, -1)
              .split(/[\s,]+/)
              .find((w) => w.includes(':')) ?? name)
          : name;
        tableSpecs.set(name, spec);
      }
    }
    return list;
  }

  const lists = {} as RestrictionLists;
  for (const [key, param] of STAGES) lists[key] = await parseList(str(param));
  lists.fakeRelay = ['permit_mynetworks', 'permit_sasl_authenticated', 'permit_auth_destination'];

  const classes = new Map<string, string[]>();
  for (const name of splitList(str('smtpd_restriction_classes'))) {
    const value = params.dynamic.get(name);
    if (!value) {
      setFatal(`restriction class \`${name}' needs a definition`);
      continue;
    }
    classes.set(name, await parseList(value));
  }
  for (const [name, list] of Object.entries(BUILTIN_CLASSES)) classes.set(name, [...list]);

  const warn = (m: string): void => void startup.push({ severity: 'warning', message: m });
  let crash: string | undefined;
  const required = (list: readonly string[]): boolean => {
    if (crash) return true;
    const r = hasRequired(list, classes, warn);
    if (typeof r === 'object') crash = `restriction class loop ${r.cycle.join(' -> ')}`;
    return r !== false;
  };
  if (!required(lists.recipient) && !required(lists.relay))
    setFatal(
      `in parameter smtpd_relay_restrictions or smtpd_recipient_restrictions, specify at least one working instance of: ${RCPT_REQUIRED.slice(0, -1).join(', ')} or ${RCPT_REQUIRED.at(-1)}`,
    );
  if (bool('smtpd_sasl_auth_enable') && str('smtpd_sasl_type') === 'dovecot') {
    // The simulator has no Dovecot: the auth socket is never there. smtpd fails at its first connection.
    connectFatal = [
      { severity: 'warning', message: `SASL: Connect to Dovecot auth socket '${str('smtpd_sasl_path')}' failed: No such file or directory` },
      { severity: 'fatal', message: 'no SASL authentication mechanisms' },
    ];
  }

  // TLS is settled before the first connection: a bad level is fatal, a missing certificate a warning.
  const tls = tlsPolicy({ bool, str });
  const level = levelProblem({ bool, str });
  if (level?.severity === 'fatal') setFatal(level.message);
  else if (level) startup.push(level);
  if (tls.offered && !tls.serverCert) startup.push({ severity: 'warning', message: "No server certs available. TLS won't be enabled" });

  const tempfail = (name: ParamName): boolean => {
    const v = str(name);
    if (v === 'defer') return true;
    if (v !== 'defer_if_permit') setFatal(`bad configuration: ${name} = ${v}`);
    return false;
  };
  const tempfailDeferNow = {
    unknownName: tempfail('unknown_helo_hostname_tempfail_action'),
    unknownAddr: tempfail('unknown_address_tempfail_action'),
    unverifiedRcpt: tempfail('unverified_recipient_tempfail_action'),
    unverifiedFrom: tempfail('unverified_sender_tempfail_action'),
  };

  const list = async (param: ParamName, kind: 'domain' | 'namadr' | 'string', value = str(param)): Promise<MatchList> => {
    const l = await openMatchList(ctx, param, value, kind);
    startup.push(...l.diagnostics);
    return asMatchList(l);
  };

  const compatLevel = parseCompatibilityLevel(str('compatibility_level'));
  const unset = (name: ParamName): boolean => params.raw(name) === undefined;
  const compat = {
    relayRestrictions: compatBelow(compatLevel, '1') && unset('smtpd_relay_restrictions'),
    relayBeforeRcpt: compatBelow(compatLevel, '3.6') && unset('smtpd_relay_before_recipient_restrictions'),
    relayDomains: compatBelow(compatLevel, '2') && unset('relay_domains'),
    mynetworksStyle: compatBelow(compatLevel, '2') && unset('mynetworks') && unset('mynetworks_style'),
    tlsFingerprintDigest: compatBelow(compatLevel, '3.6') && unset('smtpd_tls_fingerprint_digest'),
    smtputf8Enable: compatBelow(compatLevel, '1') && unset('smtputf8_enable'),
  };

  const resolverImpl = options.resolver;
  const delimiter = str('recipient_delimiter');
  // smtpd keeps resolved addresses in a cache (smtpd_resolve.c); so does the simulator.
  const resolved = new Map<string, ReturnType<SmtpdResolver['resolve']>>();
  const resolver: SmtpdResolver = {
    resolve(sender, address) {
      const key = `${sender}\u0000${address}`;
      let answer = resolved.get(key);
      if (!answer) {
        const snd = sender === '' ? '' : resolverImpl.rewriteInternal('local', sender).address;
        const rcpt = resolverImpl.rewriteInternal('local', address).address;
        const r = resolverImpl.resolve(snd, rcpt);
        answer = { ...r, recipient: r.recipient.toLowerCase() };
        if (resolved.size > 100_000) resolved.clear();
        resolved.set(key, answer);
      }
      return answer;
    },
    addrFind(m, address, strategy): MapsAnswer {
      const underlying = mapsBySpec.get(m);
      if (!underlying) return m.find(address, false);
      const r = mailAddrFind(underlying, address, {
        strategy,
        recipientDelimiter: delimiter,
        myorigin: myoriginOf(params, (path) => options.host.readFile(path)),
        ...(resolverImpl.resolveClass && {
          isLocal: (d: string) => {
            const flags = resolverImpl.resolveClass!(d);
            return flags < 0 ? flags : flags & (1 << 8) ? 1 : 0;
          },
        }),
      });
      const lookups: LookupTrace[] = [];
      let warnings: Diagnostic[] | undefined;
      for (const k of r.trace.keys) {
        for (const l of k.lookups) lookups.push(l);
        if (k.warnings) (warnings ??= []).push(...k.warnings);
      }
      const answer: MapsAnswer = { status: r.status, lookups };
      if (r.value !== undefined) answer.value = r.value;
      if (r.key !== undefined) answer.key = r.key;
      if (warnings) answer.warnings = warnings;
      if (r.error) answer.error = r.error;
      return answer;
    },
  };
  // mail_addr_find works on the opened Maps; keep the link from each AccessMaps.
  const mapsBySpec = new Map<AccessMaps, Maps>();
  const wrap = async (param: string, value: string): Promise<AccessMaps> => {
    const m = await openMaps(ctx, param, value);
    startup.push(...m.diagnostics);
    const a = asAccessMaps(m, value);
    mapsBySpec.set(a, m);
    return a;
  };
  const maps = new Map<string, AccessMaps>();
  for (const [token, spec] of tableSpecs) maps.set(token, await wrap(spec, spec));
  const optional = async (param: ParamName): Promise<AccessMaps | undefined> => (str(param).trim() ? wrap(param, str(param)) : undefined);

  return {
    params,
    service: options.service ?? 'smtp',
    lists,
    classes,
    maps,
    mynetworks: await list('mynetworks', 'namadr'),
    relayDomains: await list('relay_domains', 'domain'),
    xclientHosts: await list('smtpd_authorized_xclient_hosts', 'namadr'),
    permMxNetworks: await list('permit_mx_backup_networks', 'namadr'),
    fastFlushDomains: await list('fast_flush_domains', 'domain'),
    saslExceptions: await list('smtpd_sasl_exceptions_networks', 'namadr'),
    verpClients: await list('smtpd_authorized_verp_clients', 'namadr'),
    tls,
    rcptMaps: {
      ...optionalEntry('local', await optional('local_recipient_maps')),
      ...optionalEntry('virtualAlias', await optional('virtual_alias_maps')),
      ...optionalEntry('virtualMailbox', await optional('virtual_mailbox_maps')),
      ...optionalEntry('relay', await optional('relay_recipient_maps')),
      ...optionalEntry('canonical', await optional('canonical_maps')),
      ...optionalEntry('senderCanonical', await optional('sender_canonical_maps')),
      ...optionalEntry('recipientCanonical', await optional('recipient_canonical_maps')),
    },
    ...optionalEntry('senderLoginMaps', await optional('smtpd_sender_login_maps')),
    ...optionalEntry('commandFilter', await optional('smtpd_command_filter')),
    ...optionalEntry('milterMaps', await optional('smtpd_milter_maps')),
    ...optionalEntry('rblReplyMaps', await optional('rbl_reply_maps')),
    ...optionalEntry('relayClientCerts', await optional('relay_clientcerts')),
    accessParentStyle: matchParentStyle(ctx, 'smtpd_access_maps'),
    int,
    bool,
    str,
    compat,
    tempfailDeferNow,
    resolver,
    ...(resolverImpl.resolveClass && { resolveClass: (d: string) => resolverImpl.resolveClass!(d) }),
    ...(resolverImpl.cleanupAddresses && { cleanup: (sender: string, rcpt: string) => resolverImpl.cleanupAddresses!(sender, rcpt).status }),
    dns: options.dns ?? NO_DNS,
    facts: options.facts ?? NO_FACTS,
    startup,
    ...(fatal && { fatal }),
    ...(crash && { crash }),
    ...(connectFatal && { connectFatal }),
  };
}

function optionalEntry<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
