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
import type { PostscreenTestResult, PostscreenVerdict, PostscreenStep } from '../trace/types.ts';
import { escape } from '../util/escape.ts';
import type { PostscreenConfig } from './config.ts';
import { ScreenCache, entry, newExpires } from './cache.ts';
import { dnsblScore } from './dnsbl.ts';
import { runDummy } from './dummy.ts';
import {
  allPassed,
  anyFail,
  anyTodo,
  beginPhase,
  cacheText,
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
  todoTests,
} from './session.ts';
import type { ClientInfo, ScreenExchange, Segment, Session } from './session.ts';
import { DEEP_TESTS, TESTS, testTitle } from './tests.ts';

export interface ConnectionInput {
  addr: string;
  port: string;
  server: string;
  serverPort: string;
  /** Seconds since the dialogue's first connection. */
  at: number;
  /** What the client sends before the greeting (bytes as latin1 text). */
  pregreet?: string;
  lines: readonly string[];
  pipelined: boolean;
  bareNewline: boolean;
}

export interface ScreenResult {
  /** exchanges[0] is what the client got before its first line; one more per line postscreen read. */
  exchanges: ScreenExchange[];
  /** postscreen's log texts, in order. */
  log: string[];
  /** dnsblog's log texts. */
  dnsblog: string[];
  trace: PostscreenStep[];
  verdict: PostscreenVerdict;
  /** The client goes to smtpd: these bytes are still unread (the early text of a client that talked first). */
  handoff?: { unread: string };
}

export class Postscreen {
  readonly cache: ScreenCache;
  private readonly clients = new Map<string, ClientInfo>();
  private warnedRespectful = false;
  private started = false;

  constructor(
    readonly cfg: PostscreenConfig,
    private readonly options: { smtpdAvailable: boolean },
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
    });
    s.log = log;
    for (const l of c.lines) s.exchanges.push({ client: l, server: [] });
    const dnsblog: string[] = [];
    this.screen(s, concurrency, dnsblog);
    shared.busyUntil.push(s.now);
    return this.result(s, c, dnsblog);
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
      note(s, {
        kind: 'stage',
        title: 'postscreen_client_connection_count_limit',
        result: 'reject',
        detail: `${concurrency} connections > ${cfg.connectionLimit}`,
      });
      s.decidedBy = 'connection count limit';
      return drop(s, '421 4.7.0 Error: too many connections');
    }
    if (cfg.access) {
      const acl = cfg.access.evaluate(s.addr);
      for (const w of acl.log) info(s, `warning: ${w}`);
      note(s, { kind: 'stage', title: `postscreen_access_list = ${cfg.params.get('postscreen_access_list') ?? ''}`, result: acl.result, children: acl.trace });
      s.access = { result: acl.result, ...(acl.item && { item: acl.item }) };
      if (acl.result === 'reject') {
        info(s, `${cfg.respectful ? 'DENY' : 'BLACK'}LISTED ${endpoint(s)}`);
        this.compat(s);
        s.denylistFail = true;
        const action = cfg.denylistAction;
        note(s, { kind: 'action', title: 'postscreen_denylist_action', result: action });
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
        kind: 'cache',
        title: `postscreen_cache_map lookup ${s.addr}`,
        result: cacheText(cached),
        detail: `to do: ${TESTS.filter((t) => s.flags[t].todo).join(', ') || 'nothing'}`,
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
        kind: 'cache',
        title: `postscreen_cache_map lookup ${s.addr}`,
        result: cfg.cacheEnabled ? 'not found' : 'no cache',
        detail: `new client: every enabled test is to do`,
      });
    }
    if (!cfg.allowlistInterfaces.match(s.server).matched) {
      s.allowlistFail = true;
      s.noForward = true;
      info(s, `${cfg.respectful ? 'ALLOW' : 'WHITE'}LIST VETO ${endpoint(s)}`);
      this.compat(s);
      note(s, {
        kind: 'stage',
        title: `postscreen_allowlist_interfaces`,
        result: 'veto',
        detail: `${s.server} is not an allowlisting address: the client is tested but not handed over`,
      });
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
      note(s, {
        kind: 'test',
        title: `dnsbl test: score ${r.score.total}`,
        result: r.score.verdict,
        detail: `threshold ${r.score.threshold}, allowlist threshold ${r.score.allowlistThreshold}, TTL ${r.score.ttl}s`,
        children: r.score.sites.map((x) => ({
          kind: 'dns',
          title: `${x.site}: A ${x.query}`,
          result: x.status === 'listed' ? x.replies.join(' ') : x.status,
          detail: x.matched ? `counts ${x.weight}` : 'does not count',
        })),
      });
    }
    const pregreet = s.input[0]?.exchange[0] === 0 ? s.input[0].text : undefined;
    if (f.pregreet.todo && pregreet !== undefined) {
      info(s, `PREGREET ${Math.min(pregreet.length, 1023)} after 0 from ${endpoint(s)}: ${escape(pregreet.slice(0, 1023)).slice(0, 100)}`);
      f.pregreet.fail = true;
      s.failed.add('pregreet');
      const action = cfg.action.pregreet;
      note(s, { kind: 'test', title: testTitle('pregreet'), result: `fail (${action})`, detail: 'the client talked before its turn' });
      if (action === 'drop') {
        s.decidedBy = 'pregreet';
        return drop(s, '521 5.5.1 Protocol error');
      }
      if (action === 'enforce') {
        s.decidedBy = 'pregreet';
        enforce(s, '550 5.5.1 Protocol error');
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
      kind: 'test',
      title: 'postscreen_dnsbl_allowlist_threshold',
      result: 'allowlisted',
      detail: `score ${d.total} <= ${cfg.dnsblLimits.allowlistThreshold}: the other tests are skipped for ${d.ttl}s`,
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
      note(s, { kind: 'test', title: testTitle('pregreet'), result: 'pass', detail: `silent for postscreen_greet_wait (${cfg.greetWait}s)` });
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

  private result(s: Session, c: ConnectionInput, dnsblog: string[]): ScreenResult {
    const cfg = this.cfg;
    const outcome = s.done ?? 'disconnected';
    // Lines postscreen never read were never sent (the server had hung up), except a pipelined burst.
    const sent = c.pipelined ? s.exchanges.length : outcome === 'handed-off' ? 1 : 1 + Math.max(0, s.consumed - (c.pregreet !== undefined ? 1 : 0));
    const exchanges = outcome === 'handed-off' ? s.exchanges.slice(0, 1) : s.exchanges.slice(0, sent);
    const tests: PostscreenTestResult[] = TESTS.map((t) => {
      const f = s.flags[t];
      const failed = s.failed.has(t);
      if (!f.todo) return { test: t, state: cfg.enabled[t] ? 'cached' : 'off' };
      const state = failed ? 'failed' : f.pass ? 'passed' : 'not done';
      return { test: t, state, ...(failed && { action: cfg.action[t] }) };
    });
    const anyTest = TESTS.some((t) => s.flags[t].todo);
    const decidedBy = s.decidedBy ?? (outcome === 'hung up' && !s.pass ? 'client' : anyTest ? 'tests' : 'no tests');
    const verdict: PostscreenVerdict = {
      client: s.addr,
      port: s.port,
      server: s.server,
      start: s.start,
      end: s.now,
      outcome,
      decidedBy,
      ...(s.access && { access: s.access }),
      tests,
      ...(s.dnsbl && { dnsbl: s.dnsbl }),
      ...(s.cacheBefore && { cacheBefore: s.cacheBefore }),
      ...((s.cacheAfter ?? s.cacheBefore) && { cacheAfter: s.cacheAfter ?? s.cacheBefore }),
      ...(s.pass && { pass: s.pass }),
    };
    return {
      exchanges,
      log: s.log,
      dnsblog,
      trace: [
        {
          kind: 'session',
          title: `postscreen: ${endpoint(s)} -> [${s.server}]:${s.serverPort}`,
          result: outcome,
          detail: `decided by ${decidedBy}`,
          children: s.trace,
        },
      ],
      verdict,
      ...(outcome === 'handed-off' && { handoff: { unread: c.pregreet ?? '' } }),
    };
  }
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
