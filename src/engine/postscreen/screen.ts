/*
 * NAME
 *   postscreen/screen - what postscreen decides for each connection of a dialogue
 * SYNOPSIS
 *   const ps = new Postscreen(cfg, { smtpdAvailable })
 *   ps.connect({ addr, port, server, serverPort, at, pregreet, lines, pipelined, bareNewline })
 * DESCRIPTION
 *   One Postscreen is one postscreen(8) process: connections come in time
 *   order and share its cache, its per-client state (simultaneous
 *   connections of a client) and its one-time warnings. For each
 *   connection, as psc_endpt_lookup_done() and psc_early_event() do: the
 *   connection count limit; postscreen_access_list (permit: hand over at
 *   once; reject: postscreen_denylist_action); the cache (PASS OLD when
 *   every enabled test is still valid); the allowlist veto of
 *   postscreen_allowlist_interfaces; then the pre-greeting tests (teaser
 *   banner, the pregreet test during postscreen_greet_wait, the DNSBL
 *   score), and the dummy engine for the deep tests or for a client that is
 *   not handed over.
 *
 *   Time: a connection starts at `at`; the pregreet test waits
 *   postscreen_greet_wait for a client that does not talk first (unless a
 *   DNS allow list let it skip the test); everything else takes no time.
 *   DNS answers arrive at once.
 * SEE ALSO
 *   postscreen(8), POSTSCREEN_README, Postfix src/postscreen/postscreen.c, postscreen_early.c
 */
import type { PostscreenEventOf, SourceLine } from '../trace/types.ts';
import { escape } from '../util/escape.ts';
import type { PostscreenConfig } from './config.ts';
import { ScreenCache, entry, newExpires } from './cache.ts';
import { dnsblScore } from './dnsbl.ts';
import { runDummy } from './dummy.ts';
import { screenResult } from './verdict.ts';
import {
  allPassed,
  anyFail,
  anyTodo,
  beginPhase,
  conclude,
  deepTodo,
  drop,
  earlyTodo,
  endpoint,
  enforce,
  info,
  newSession,
  note,
  send,
  setting,
  todoTests,
} from './session.ts';
import type { ClientInfo, ConnectionInput, ScreenResult, Segment, Session } from './session.ts';
import { DEEP_TESTS, TESTS } from './tests.ts';

export type { ConnectionInput, ScreenResult } from './session.ts';

export class Postscreen {
  readonly cache: ScreenCache;
  private readonly clients = new Map<string, ClientInfo>();
  private warnedRespectful = false;
  private started = false;

  constructor(
    readonly cfg: PostscreenConfig,
    private readonly options: { smtpdAvailable: boolean; /** The master.cf line of the pass service, for the hand-off's trace row. */ passSource?: SourceLine },
  ) {
    this.cache = new ScreenCache(cfg);
  }

  /** connect - one connection from start to hand-off or disconnect. */
  connect(c: ConnectionInput): ScreenResult {
    const cfg = this.cfg;
    const log: string[] = [];
    if (!this.started) {
      this.started = true;
      log.push(...cfg.startup);
    }
    let shared = this.clients.get(c.addr);
    if (!shared || !shared.busyUntil.some((end) => end > c.at)) {
      shared = { expires: newExpires(), passNewCount: 0, busyUntil: [] };
      this.clients.set(c.addr, shared);
    }
    const concurrency = shared.busyUntil.filter((end) => end > c.at).length + 1;
    const s = newSession({
      cfg,
      cache: this.cache,
      addr: c.addr,
      port: c.port,
      server: c.server,
      serverPort: c.serverPort,
      now: c.at,
      start: c.at,
      info: shared,
      input: segments(c),
      smtpdAvailable: this.options.smtpdAvailable,
      ...(this.options.passSource && { passSource: this.options.passSource }),
    });
    s.log = log;
    for (const l of c.lines) s.exchanges.push({ client: l, server: [] });
    const dnsblog: string[] = [];
    this.screen(s, concurrency, dnsblog);
    shared.busyUntil.push(s.now);
    return screenResult(s, c, dnsblog);
  }

  private compat(s: Session): void {
    if (s.cfg.warnRespectful && !this.warnedRespectful) {
      this.warnedRespectful = true;
      info(s, `using backwards-compatible default setting respectful_logging=no for client ${endpoint(s)}`);
    }
  }

  private screen(s: Session, concurrency: number, dnsblog: string[]): void {
    const cfg = this.cfg;
    info(s, `CONNECT from ${endpoint(s)} to [${s.server}]:${s.serverPort}`);
    if (cfg.connectionLimit > 0 && concurrency > cfg.connectionLimit) {
      info(s, `NOQUEUE: reject: CONNECT from ${endpoint(s)}: too many connections`);
      const reply = '421 4.7.0 Error: too many connections';
      note(s, {
        kind: 'limit',
        parameter: 'postscreen_client_connection_count_limit',
        count: concurrency,
        limit: cfg.connectionLimit,
        reply,
        ...setting(s, 'postscreen_client_connection_count_limit'),
      });
      s.decidedBy = 'connection count limit';
      return drop(s, reply);
    }
    if (cfg.access) {
      const acl = cfg.access.evaluate(s.addr);
      for (const w of acl.log) info(s, `warning: ${w}`);
      note(s, {
        kind: 'access-list',
        value: cfg.params.get('postscreen_access_list') ?? '',
        result: acl.result,
        ...(acl.item && { item: acl.item }),
        ...setting(s, 'postscreen_access_list'),
        ...(acl.trace.length > 0 && { children: acl.trace }),
      });
      s.access = { result: acl.result, ...(acl.item && { item: acl.item }), ...(acl.source && { source: acl.source }) };
      if (acl.result === 'reject') {
        info(s, `${cfg.respectful ? 'DENY' : 'BLACK'}LISTED ${endpoint(s)}`);
        this.compat(s);
        s.denylistFail = true;
        const action = cfg.denylistAction;
        const reply =
          action === 'drop' ? '521 5.3.2 Service currently unavailable' : action === 'enforce' ? '550 5.3.2 Service currently unavailable' : undefined;
        note(s, { kind: 'denylist', action, ...(reply && { reply }), ...setting(s, 'postscreen_denylist_action', 'postscreen_blacklist_action') });
        if (action === 'drop') {
          s.decidedBy = 'access list';
          return drop(s, '521 5.3.2 Service currently unavailable');
        }
        if (action === 'enforce') {
          s.decidedBy = 'access list';
          enforce(s, '550 5.3.2 Service currently unavailable');
        } else s.denylistFail = false;
      } else if (acl.result === 'permit') {
        info(s, `${cfg.respectful ? 'ALLOW' : 'WHITE'}LISTED ${endpoint(s)}`);
        this.compat(s);
        s.decidedBy = 'access list';
        return this.finish(s);
      }
    }
    const cached = !anyFail(s) && concurrency === 1 ? this.cache.lookup(s.addr, s.now) : undefined;
    s.cacheBefore = entry(s.addr, cached);
    if (cached) {
      s.info.expires = cached;
      todoTests(s, s.now);
      note(s, {
        kind: 'cache-lookup',
        client: s.addr,
        enabled: true,
        entry: s.cacheBefore!,
        todo: TESTS.filter((t) => s.flags[t].todo),
        ...setting(s, 'postscreen_cache_map'),
      });
      if (!anyTodo(s)) {
        info(s, `PASS OLD ${endpoint(s)}`);
        s.pass = 'OLD';
        s.decidedBy = 'cache';
        return this.finish(s);
      }
    } else if (concurrency > 1) todoTests(s, s.now);
    else {
      s.info.expires = newExpires();
      todoTests(s, s.now);
      note(s, {
        kind: 'cache-lookup',
        client: s.addr,
        enabled: cfg.cacheEnabled,
        todo: TESTS.filter((t) => s.flags[t].todo),
        ...setting(s, 'postscreen_cache_map'),
      });
    }
    if (!cfg.allowlistInterfaces.match(s.server).matched) {
      s.allowlistFail = true;
      s.noForward = true;
      info(s, `${cfg.respectful ? 'ALLOW' : 'WHITE'}LIST VETO ${endpoint(s)}`);
      this.compat(s);
      note(s, { kind: 'allowlist-veto', server: s.server, ...setting(s, 'postscreen_allowlist_interfaces', 'postscreen_whitelist_interfaces') });
    }
    if (earlyTodo(s)) this.early(s, dnsblog);
    else if (deepTodo(s) || s.noForward) runDummy(s);
    else conclude(s);
    this.finish(s);
  }

  /** finish - hand over or stay: after a failed hand-off (X21) the dummy engine talks. */
  private finish(s: Session): void {
    if (!s.done && !s.noForward) conclude(s);
    if (!s.done && s.x21) runDummy(s);
  }

  /** early - psc_early_tests() and psc_early_event(). */
  private early(s: Session, dnsblog: string[]): void {
    const cfg = this.cfg;
    const f = s.flags;
    beginPhase(s, 'tests before SMTP handshake');
    if (f.pregreet.todo && cfg.teaser) send(s, `220-${cfg.teaser}`);
    if (f.dnsbl.todo && cfg.dnsbl) {
      const r = dnsblScore(cfg.dnsbl, cfg.dns, s.addr, cfg.dnsblLimits);
      s.dnsbl = r.score;
      dnsblog.push(...r.dnsblog);
      const d = r.score;
      s.dnsblEvent = {
        kind: 'dnsbl',
        total: d.total,
        threshold: d.threshold,
        allowlistThreshold: d.allowlistThreshold,
        ttl: d.ttl,
        verdict: d.verdict,
        ...(d.name !== undefined && { name: d.name }),
        ...setting(s, 'postscreen_dnsbl_sites'),
        children: d.sites.map((x) => ({ kind: 'dnsbl-site', score: x, ...(x.source && { source: x.source }) })),
      };
      note(s, s.dnsblEvent);
    }
    const pregreet = s.input[0]?.exchange[0] === 0 ? s.input[0].text : undefined;
    if (f.pregreet.todo && pregreet !== undefined) {
      const text = `PREGREET ${Math.min(pregreet.length, 1023)} after 0 from ${endpoint(s)}: ${escape(pregreet.slice(0, 1023)).slice(0, 100)}`;
      info(s, text);
      f.pregreet.fail = true;
      s.failed.add('pregreet');
      const action = cfg.action.pregreet;
      const reply = action === 'drop' ? '521 5.5.1 Protocol error' : action === 'enforce' ? '550 5.5.1 Protocol error' : undefined;
      note(s, { kind: 'test', test: 'pregreet', result: 'fail', action, text, ...(reply && { reply }), ...setting(s, 'postscreen_greet_action') });
      if (action === 'drop') {
        s.decidedBy = 'pregreet';
        return drop(s, reply!);
      }
      if (action === 'enforce') {
        s.decidedBy = 'pregreet';
        enforce(s, reply!);
      }
      f.pregreet.done = true;
    }
    if (f.dnsbl.todo && s.dnsbl) {
      this.allowlistNonDnsbl(s);
      f.dnsbl.done = true;
    }
    // Without a DNS allow-list verdict, a silent client waits out the greet wait.
    if (f.pregreet.todo && !f.pregreet.done) s.now += cfg.greetWait;
    this.earlyEvent(s);
  }

  /** allowlistNonDnsbl - a score at or below postscreen_dnsbl_allowlist_threshold skips the other tests. */
  private allowlistNonDnsbl(s: Session): void {
    const cfg = this.cfg;
    const d = s.dnsbl!;
    if (anyFail(s) || d.total >= cfg.dnsblLimits.threshold || cfg.dnsblLimits.allowlistThreshold >= 0 || d.total > cfg.dnsblLimits.allowlistThreshold) return;
    note(s, {
      kind: 'dnsbl-allowlist',
      total: d.total,
      allowlistThreshold: cfg.dnsblLimits.allowlistThreshold,
      ttl: d.ttl,
      ...setting(s, 'postscreen_dnsbl_allowlist_threshold', 'postscreen_dnsbl_whitelist_threshold'),
    });
    for (const t of TESTS) {
      if (t === 'dnsbl') continue;
      const f = s.flags[t];
      if (f.todo && !f.pass) f.done = f.pass = true;
      const e = s.info.expires[t];
      if (typeof e !== 'number' || e < s.now + d.ttl) s.info.expires[t] = s.now + d.ttl;
    }
  }

  /** earlyEvent - the greet wait is over (or every early test is done). */
  private earlyEvent(s: Session): void {
    const cfg = this.cfg;
    const f = s.flags;
    if (f.pregreet.todo && !f.pregreet.fail && !f.pregreet.done) {
      s.info.expires.pregreet = s.now + cfg.ttl.pregreet;
      f.pregreet.pass = true;
      note(s, {
        kind: 'test',
        test: 'pregreet',
        result: 'pass',
        how: 'silent',
        wait: cfg.greetWait,
        ttl: cfg.ttl.pregreet,
        ...setting(s, 'postscreen_greet_ttl'),
      });
    }
    if (f.pregreet.fail && cfg.action.pregreet === 'ignore') f.pregreet.fail = false;
    if (f.dnsbl.todo && s.dnsbl) {
      const d = s.dnsbl;
      if (d.total < cfg.dnsblLimits.threshold) {
        s.info.expires.dnsbl = s.now + d.ttl;
        f.dnsbl.pass = true;
      } else {
        info(s, `DNSBL rank ${d.total} for ${endpoint(s)}`);
        f.dnsbl.fail = true;
        s.failed.add('dnsbl');
        const action = cfg.action.dnsbl;
        const reply = (code: string): string => `${code} 5.7.1 Service unavailable; client [${s.addr}] blocked using ${d.name ?? ''}`;
        blocked(s.dnsblEvent, action, action === 'drop' ? reply('521') : action === 'enforce' ? reply('550') : undefined);
        if (action === 'drop') {
          s.decidedBy = 'dnsbl';
          return drop(s, reply('521'));
        }
        if (action === 'enforce') {
          s.decidedBy ??= 'dnsbl';
          enforce(s, reply('550'));
        } else f.dnsbl.fail = false;
      }
    }
    if (s.noForward || !allPassed(s, DEEP_TESTS)) runDummy(s);
    else conclude(s);
  }
}

/** blocked - the DNSBL event learns postscreen_dnsbl_action and the reply it gives. */
function blocked(e: PostscreenEventOf<'dnsbl'> | undefined, action: PostscreenEventOf<'dnsbl'>['action'] & string, reply: string | undefined): void {
  if (!e) return;
  e.action = action;
  if (reply !== undefined) e.reply = reply;
}

/** segments - the client's input as it arrives: the pregreet text, then one line at a time (or all lines at once). */
function segments(c: ConnectionInput): Segment[] {
  const eol = c.bareNewline ? '\n' : '\r\n';
  const out: Segment[] = [];
  if (c.pregreet !== undefined && c.pregreet !== '') out.push({ text: c.pregreet, exchange: [0] });
  if (c.pipelined) {
    let text = '';
    const exchange: number[] = [];
    c.lines.forEach((l, i) => {
      const unit = l + eol;
      text += unit;
      for (let k = 0; k < unit.length; k++) exchange.push(i + 1);
    });
    if (text) out.push({ text, exchange });
  } else c.lines.forEach((l, i) => out.push({ text: l + eol, exchange: [i + 1] }));
  return out;
}
