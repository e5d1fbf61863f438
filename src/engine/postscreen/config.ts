/*
 * NAME
 *   postscreen/config - what postscreen(8) prepares before its first connection
 * SYNOPSIS
 *   await preparePostscreen({ host, params, cache, dns })
 * DESCRIPTION
 *   Reads the parameters of the service that runs postscreen (main.cf and
 *   its master.cf -o overrides) in postscreen's order, opens the tables of
 *   postscreen_access_list and postscreen_dnsbl_reply_map, parses
 *   postscreen_dnsbl_sites, the actions, postscreen_allowlist_interfaces
 *   and the forbidden commands. What postscreen logs while it starts (a
 *   table it cannot open) is `startup`; a configuration error it dies of
 *   (a bad DNSBL site, a bad action, a bad number or time) is `fatal`, in
 *   Postfix's words. Settings the simulator does not model are `notices`.
 * SEE ALSO
 *   postscreen(8), postconf(5), POSTSCREEN_README
 */
import type { ParamName } from '../config/names.ts';
import type { ParameterView } from '../config/maincf.ts';
import type { DnsFacts } from '../dns/facts.ts';
import { NO_DNS } from '../dns/facts.ts';
import { createSearchContext, openMatchList } from '../search/index.ts';
import type { MatchList, TableCache } from '../search/index.ts';
import type { Host } from '../tables/types.ts';
import type { PostscreenAction, PostscreenTestName, SourceLine } from '../trace/types.ts';
import { splitList } from '../util/lists.ts';
import { parseAccessList } from './access.ts';
import type { AccessList } from './access.ts';
import { parseDnsblSites } from './dnsbl.ts';
import type { DnsblLimits, DnsblSites } from './dnsbl.ts';
import { ParamReader } from './params.ts';
import { checkParameters } from '../config/checks.ts';
import { ACTION_NAMES, TESTS, TEST_PARAMS } from './tests.ts';

export interface PostscreenOptions {
  host: Host;
  /** The parameters of the service that runs postscreen. */
  params: ParameterView;
  cache: TableCache;
  dns?: DnsFacts;
}

export interface PostscreenConfig {
  params: ParameterView;
  dns: DnsFacts;
  /** syslog_name: log lines are `<syslog_name>/postscreen: ...`. */
  program: string;
  myhostname: string;
  /** The dummy engine's greeting text (smtpd_banner). */
  banner: string;
  /** postscreen_greet_banner; empty: no teaser and no pregreet test. */
  teaser: string;
  greetWait: number;
  ttl: Record<PostscreenTestName, number>;
  /** The smallest TTL of all tests (postscreen_dnsbl_min_ttl included): how long an ignored deep-test failure is forgiven. */
  minTtl: number;
  enabled: Record<PostscreenTestName, boolean>;
  action: Record<PostscreenTestName, PostscreenAction>;
  denylistAction: PostscreenAction;
  dnsbl?: DnsblSites;
  dnsblLimits: DnsblLimits;
  access?: AccessList;
  allowlistInterfaces: MatchList;
  forbidden?: MatchList;
  connectionLimit: number;
  commandLimit: number;
  /** postscreen_disable_vrfy_command (VRFY replies) and disable_vrfy_command (the EHLO keyword). */
  disableVrfy: boolean;
  ehloNoVrfy: boolean;
  heloRequired: boolean;
  softBounce: boolean;
  useTls: boolean;
  enforceTls: boolean;
  /** EHLO keywords not announced (postscreen_discard_ehlo_keywords), lower case. */
  ehloDiscard: ReadonlySet<string>;
  smtputf8: boolean;
  messageSizeLimit: number;
  lineLimit: number;
  /** `DENYLISTED` or (respectful_logging = no) `BLACKLISTED`, and so on. */
  respectful: boolean;
  /** respectful_logging took its compatibility-level default: postscreen says so once. */
  warnRespectful: boolean;
  /** postscreen_cache_map is set: results are remembered. */
  cacheEnabled: boolean;
  cacheRetention: number;
  cacheCleanup: number;
  /** The pass service postscreen hands clients to (private/$smtpd_service_name). */
  smtpdService: string;
  /** What postscreen logs when it starts, before the first CONNECT line. */
  startup: string[];
  fatal?: string;
  /** Settings the simulator reads but does not model. */
  notices: string[];
}

/** What postscreen does not model, and why: its own notices (coverage.ts's generic notice is not repeated for these). */
export const NOT_SIMULATED: readonly [ParamName, string][] = [
  ['postscreen_upstream_proxy_protocol', 'the haproxy protocol is not simulated: clients connect directly'],
  ['postscreen_reject_footer', 'reply footers are not simulated'],
  ['postscreen_reject_footer_maps', 'reply footers are not simulated'],
  ['postscreen_command_filter', 'command rewriting is not simulated'],
  ['postscreen_discard_ehlo_keyword_address_maps', 'per-client EHLO keyword discarding is not simulated'],
  ['postscreen_pre_queue_limit', 'load limits are not simulated (no "all screening ports are busy")'],
  ['postscreen_post_queue_limit', 'load limits are not simulated (no "all server ports are busy")'],
  ['postscreen_command_time_limit', 'time limits within a connection are not simulated'],
  ['postscreen_dnsbl_timeout', 'DNS answers always arrive in time'],
];

/** { [key]: where `name` is set }, or nothing when it is not set (a default). */
function sourceOf<K extends string>(params: ParameterView, name: ParamName, key: K): Partial<Record<K, SourceLine>> {
  const source = params.source(name);
  return source ? ({ [key]: source } as Record<K, SourceLine>) : {};
}

/** preparePostscreen - everything postscreen sets up before it answers a connection. */
export async function preparePostscreen(options: PostscreenOptions): Promise<PostscreenConfig> {
  const { params } = options;
  const ctx = createSearchContext(options.host, params, options.cache);
  const p = new ParamReader(params);
  const startup: string[] = [];
  const notices: string[] = [];

  // The values postscreen uses (checkParameters() below refuses bad ones before anything is opened).
  const smtpdService = p.str('smtpd_service_name');
  const banner = p.str('smtpd_banner');
  const cacheMap = p.str('postscreen_cache_map');
  const teaser = p.str('postscreen_greet_banner');
  const actionText = Object.fromEntries(TESTS.map((t) => [t, p.str(TEST_PARAMS[t].action)])) as Record<PostscreenTestName, string>;
  const sitesText = p.str('postscreen_dnsbl_sites');
  const aclText = p.str('postscreen_access_list');
  const denylistText = p.str('postscreen_denylist_action');
  const forbiddenText = p.str('postscreen_forbidden_commands');
  const discardWords = p.str('postscreen_discard_ehlo_keywords');
  const replyMap = p.str('postscreen_dnsbl_reply_map');
  const tlsLevel = p.str('postscreen_tls_security_level');
  const allowlistIf = p.str('postscreen_allowlist_interfaces');
  const threshold = p.int('postscreen_dnsbl_threshold');
  const commandLimit = p.int('postscreen_command_count_limit');
  const connectionLimit = p.int('postscreen_client_connection_count_limit');
  const allowlistThreshold = p.int('postscreen_dnsbl_allowlist_threshold');
  const greetWait = p.time('postscreen_greet_wait');
  const ttl = {} as Record<PostscreenTestName, number>;
  ttl.pregreet = p.time('postscreen_greet_ttl');
  const minTtl = p.time('postscreen_dnsbl_min_ttl');
  const maxTtl = p.time('postscreen_dnsbl_max_ttl');
  ttl.dnsbl = minTtl;
  for (const t of ['pipelining', 'non-smtp command', 'bare newline'] as const) ttl[t] = p.time(TEST_PARAMS[t].ttl);
  const cacheRetention = p.time('postscreen_cache_retention_time');
  const cacheCleanup = p.time('postscreen_cache_cleanup_interval');
  const ehloNoVrfy = p.bool('disable_vrfy_command');
  const enabled: Record<PostscreenTestName, boolean> = {
    pregreet: teaser !== '',
    dnsbl: sitesText.trim() !== '',
    pipelining: p.bool('postscreen_pipelining_enable'),
    'non-smtp command': p.bool('postscreen_non_smtp_command_enable'),
    'bare newline': p.bool('postscreen_bare_newline_enable'),
  };
  const heloRequired = p.bool('postscreen_helo_required');
  const disableVrfy = p.bool('postscreen_disable_vrfy_command');
  let useTls = p.bool('postscreen_use_tls');
  let enforceTls = p.bool('postscreen_enforce_tls');
  const base = {
    params,
    dns: options.dns ?? NO_DNS,
    program: `${params.get('syslog_name') || 'postfix'}/postscreen`,
    myhostname: params.get('myhostname') ?? '',
    banner,
    teaser,
    greetWait,
    ttl,
    minTtl: Math.min(...Object.values(ttl)),
    enabled,
    dnsblLimits: { threshold, allowlistThreshold, minTtl, maxTtl },
    connectionLimit,
    commandLimit,
    disableVrfy,
    ehloNoVrfy,
    heloRequired,
    softBounce: /^yes$/i.test(params.get('soft_bounce') ?? ''),
    ehloDiscard: new Set(splitList(discardWords).map((w) => w.toLowerCase())),
    smtputf8: /^yes$/i.test(params.get('smtputf8_enable') ?? ''),
    messageSizeLimit: Number(params.get('message_size_limit') ?? '0') || 0,
    lineLimit: Number(params.get('line_length_limit') ?? '2048') || 2048,
    respectful: !/^no$/i.test(params.get('respectful_logging') ?? 'yes'),
    warnRespectful: params.raw('respectful_logging') === undefined && /^no$/i.test(params.get('respectful_logging') ?? ''),
    cacheEnabled: cacheMap.trim() !== '',
    cacheRetention,
    cacheCleanup,
    smtpdService,
    startup,
    notices,
  };
  const dead = async (fatal: string): Promise<PostscreenConfig> => ({
    ...base,
    action: { pregreet: 'ignore', dnsbl: 'ignore', pipelining: 'ignore', 'non-smtp command': 'ignore', 'bare newline': 'ignore' },
    denylistAction: 'ignore',
    allowlistInterfaces: await openMatchList(ctx, 'postscreen_allowlist_interfaces', 'static:all', 'addr'),
    useTls: false,
    enforceTls: false,
    fatal,
  });
  // What postscreen refuses among the parameters it reads at start-up, in its order (config/checks.ts).
  const checked = checkParameters(params, 'postscreen', { readFile: (path) => options.host.readFile(path) });
  startup.push(...checked.warnings.map((w) => `warning: ${w.message}`));
  if (checked.fatal) return dead(checked.fatal.message);

  // Before the chroot: the access list's tables, the forbidden commands, the DNSBL reply map.
  const mynetworks = await openMatchList(ctx, 'mynetworks', params.get('mynetworks') ?? '', 'addr');
  const access = aclText.trim()
    ? await parseAccessList(ctx, aclText, mynetworks, {
        ...sourceOf(params, 'postscreen_access_list', 'list'),
        ...sourceOf(params, 'mynetworks', 'mynetworks'),
      })
    : undefined;
  if (access) startup.push(...access.startup);
  const forbidden = forbiddenText.trim() ? await openMatchList(ctx, 'postscreen_forbidden_commands', forbiddenText, 'string') : undefined;
  const replyTable = replyMap.trim() ? await options.cache.open(replyMap.trim()) : undefined;
  if (replyTable?.openError) startup.push(`error: ${replyTable.openError.message}`);

  // After the chroot: DNSBL sites, TLS level, the actions, the allowlist interfaces.
  let dnsbl: DnsblSites | undefined;
  if (enabled.dnsbl) {
    const parsed = parseDnsblSites(sitesText, (domain) => {
      if (!replyTable) return undefined;
      if (replyTable.openError) {
        startup.push(`warning: ${replyTable.spec} is unavailable. ${replyTable.openError.message}`);
        return { fatal: `${replyTable.spec} lookup error` };
      }
      const r = replyTable.lookup(domain);
      if (r.status === 'error') return { fatal: `${replyTable.spec} lookup error` };
      return r.status === 'found' ? r.value : undefined;
    });
    if ('fatal' in parsed) {
      startup.push(...parsed.warnings.map((w) => `warning: ${w}`));
      return dead(parsed.fatal);
    }
    dnsbl = parsed;
  }
  if (tlsLevel.trim()) {
    const level = tlsLevel.trim().toLowerCase();
    if (['secure', 'verify', 'fingerprint'].includes(level)) {
      startup.push(`warning: postscreen_tls_security_level: unsupported TLS level "${tlsLevel.trim()}", using "encrypt"`);
      useTls = enforceTls = true;
    } else if (level === 'encrypt') useTls = enforceTls = true;
    else if (level === 'may') [useTls, enforceTls] = [true, false];
    else if (level === 'none') useTls = enforceTls = false;
    else return dead(`Invalid TLS level "${tlsLevel.trim()}"`);
  }
  useTls ||= enforceTls;
  if (useTls) notices.push('STARTTLS: the TLS handshake through tlsproxy(8) is not simulated');
  const action = {} as Record<PostscreenTestName, PostscreenAction>;
  const denylistAction = ACTION_NAMES[denylistText];
  if (!denylistAction) return dead(`bad postscreen_denylist_action value: ${denylistText}`);
  for (const t of TESTS) {
    const a = ACTION_NAMES[actionText[t]];
    if (!a) return dead(`bad ${TEST_PARAMS[t].action} value: ${actionText[t]}`);
    action[t] = a;
  }
  const allowlistInterfaces = await openMatchList(ctx, 'postscreen_allowlist_interfaces', allowlistIf, 'addr');
  startup.push(...allowlistInterfaces.diagnostics.map((d) => `${d.severity}: ${d.message}`));
  for (const [name, why] of NOT_SIMULATED) if (!p.isDefault(name) && p.str(name) !== '') notices.push(`${name}: ${why}`);
  return {
    ...base,
    action,
    denylistAction,
    ...(dnsbl && { dnsbl }),
    ...(access && { access }),
    allowlistInterfaces,
    ...(forbidden && { forbidden }),
    useTls,
    enforceTls,
  };
}
