/*
 * NAME
 *   postscreen/session - one connection's state in postscreen, and its conclusion
 * DESCRIPTION
 *   What postscreen keeps per connection (PSC_STATE): the per-test flags,
 *   the client's test expiry times, the session flags (no forwarding,
 *   denylisted, allowlist veto, hang-up), the replies for the dummy engine
 *   to give, the time, and what the client has sent but postscreen has not
 *   read. psc_conclude() ends every connection: it logs PASS NEW or PASS
 *   OLD when every test to do has passed, writes the cache, and either
 *   hands the client to smtpd or sends the final reply and disconnects.
 * SEE ALSO
 *   Postfix src/postscreen/postscreen_misc.c, postscreen_state.c
 */
import type {
  DnsblScore,
  PostscreenCacheEntry,
  PostscreenEvent,
  PostscreenEventOf,
  PostscreenTestName,
  PostscreenVerdict,
  SourceLine,
} from '../trace/types.ts';
import type { ParamName } from '../config/names.ts';
import type { PostscreenConfig } from './config.ts';
import type { Expires, ScreenCache } from './cache.ts';
import { entry, expiryTime } from './cache.ts';
import { DEEP_TESTS, EARLY_TESTS, TESTS, noFlags } from './tests.ts';
import type { SessionFlags } from './tests.ts';

/** What the client sends, as it arrives: a segment is read before the next one is sent. */
export interface Segment {
  /** The bytes (latin1 text), line ends included. */
  text: string;
  /** The exchange each byte's reply belongs to: one index for the segment, or one per line (pipelined). */
  exchange: number[];
}

/** One exchange of the connection: what the client sent and the reply lines it got. */
export interface ScreenExchange {
  client?: string;
  server: string[];
}

/** One connection as the client makes it. */
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

/** What postscreen made of one connection. */
export interface ScreenResult {
  /** exchanges[0] is what the client got before its first line; one more per line postscreen read. */
  exchanges: ScreenExchange[];
  /** postscreen's log texts, in order. */
  log: string[];
  /** dnsblog's log texts. */
  dnsblog: string[];
  /** One `connection` event; its children are the decisions, in order. */
  trace: PostscreenEvent[];
  verdict: PostscreenVerdict;
  /** The client goes to smtpd: these bytes are still unread (the early text of a client that talked first). */
  handoff?: { unread: string };
}

/** Per client, shared by its simultaneous connections (PSC_CLIENT_INFO). */
export interface ClientInfo {
  expires: Expires;
  passNewCount: number;
  /** When each of its connections leaves postscreen. */
  busyUntil: number[];
}

export interface Session {
  cfg: PostscreenConfig;
  cache: ScreenCache;
  addr: string;
  port: string;
  server: string;
  serverPort: string;
  now: number;
  start: number;
  /** Start of the current test phase (for HANGUP ... after). */
  phaseStart: number;
  phase: string;
  info: ClientInfo;
  flags: SessionFlags;
  isNew: boolean;
  noForward: boolean;
  denylistFail: boolean;
  allowlistFail: boolean;
  hangup: boolean;
  x21: boolean;
  finalReply: string;
  rcptReply: string;
  exchanges: ScreenExchange[];
  /** The exchange replies go to now. */
  current: number;
  log: string[];
  /** The connection's events, in order. */
  trace: PostscreenEvent[];
  /** The reply lines of the dummy-engine command being handled (send() adds to them). */
  replying?: string[];
  /** Where note() puts events now: `trace`, or the children of the command being handled. */
  sink: PostscreenEvent[];
  dnsbl?: DnsblScore;
  /** The DNSBL test's event, completed when the score is judged. */
  dnsblEvent?: PostscreenEventOf<'dnsbl'>;
  pass?: 'NEW' | 'OLD';
  cacheBefore?: PostscreenCacheEntry;
  cacheAfter?: PostscreenCacheEntry;
  /** The client's input not yet read, segment by segment. */
  input: Segment[];
  /** Set when postscreen is done with the connection. */
  done?: 'handed-off' | 'disconnected' | 'dropped' | 'hung up';
  /** smtpd(8) can be reached (master.cf has the pass service). */
  smtpdAvailable: boolean;
  /** The master.cf line of that pass service. */
  passSource?: SourceLine;
  /** The dummy engine's SMTP state. */
  helo?: string;
  sender?: string;
  protocol?: string;
  /** How many input segments postscreen has read from. */
  consumed: number;
  /** Tests that failed in this session (also those whose failure was ignored). */
  failed: Set<PostscreenTestName>;
  /** Tests that passed in this session, also when another test's failure keeps them out of the cache. */
  passed: Set<PostscreenTestName>;
  decidedBy?: PostscreenVerdict['decidedBy'];
  /** The postscreen_access_list result. */
  access?: PostscreenVerdict['access'];
}

type Given = Pick<Session, 'cfg' | 'cache' | 'addr' | 'port' | 'server' | 'serverPort' | 'now' | 'start' | 'info' | 'input' | 'smtpdAvailable' | 'passSource'>;

export function newSession(init: Given): Session {
  const trace: PostscreenEvent[] = [];
  return {
    ...init,
    trace,
    sink: trace,
    consumed: 0,
    failed: new Set(),
    passed: new Set(),
    flags: noFlags(),
    isNew: false,
    noForward: false,
    denylistFail: false,
    allowlistFail: false,
    hangup: false,
    x21: false,
    finalReply: '421 4.3.2 Service currently unavailable',
    rcptReply: '450 4.3.2 Service currently unavailable',
    exchanges: [{ server: [] }],
    current: 0,
    log: [],
    phaseStart: init.now,
    phase: '',
  };
}

/** `[addr]:port`, as every postscreen line names the client. */
export const endpoint = (s: Session): string => `[${s.addr}]:${s.port}`;

export const info = (s: Session, text: string): void => void s.log.push(text);

/** note - record one decision where the trace is now (the connection, or the command being handled). */
export const note = (s: Session, event: PostscreenEvent): void => void s.sink.push(event);

/** top - record a decision about the whole connection (the cache, the hand-off), wherever the trace is now. */
const top = (s: Session, event: PostscreenEvent): void => void s.trace.push(event);

/** within - record what `fn` decides under `event` (a dummy-engine command's tests and replies). */
export function within<T>(s: Session, event: PostscreenEvent, fn: () => T): T {
  note(s, event);
  const outer = s.sink;
  s.sink = event.children ??= [];
  try {
    return fn();
  } finally {
    s.sink = outer;
    if (event.children.length === 0) delete event.children;
  }
}

/** setting - where a parameter is set (main.cf line, master.cf -o), for a trace row; `legacy`: its older name. */
export function setting(s: Session, name: ParamName, legacy?: string): { source?: SourceLine } {
  const source = s.cfg.params.source(name) ?? (legacy !== undefined ? s.cfg.params.dynamic.source(legacy) : undefined);
  return source ? { source } : {};
}

/** send - psc_send_reply(): one reply (soft_bounce turns 5 into 4). */
export function send(s: Session, reply: string): void {
  let r = reply;
  if (s.cfg.softBounce) {
    if (r[0] === '5') r = '4' + r.slice(1);
    if (r[4] === '5') r = r.slice(0, 4) + '4' + r.slice(5);
  }
  s.exchanges[s.current]!.server.push(r);
  s.replying?.push(r);
}

export const anyFail = (s: Session): boolean => s.denylistFail || s.allowlistFail || TESTS.some((t) => s.flags[t].fail);
export const anyTodo = (s: Session, tests: readonly PostscreenTestName[] = TESTS): boolean => tests.some((t) => s.flags[t].todo);
export const earlyTodo = (s: Session): boolean => anyTodo(s, EARLY_TESTS);
export const deepTodo = (s: Session): boolean => anyTodo(s, DEEP_TESTS);
/** Every test of `tests` that is to do has passed, and none passed that was not to do. */
export const allPassed = (s: Session, tests: readonly PostscreenTestName[] = TESTS): boolean => tests.every((t) => s.flags[t].pass === s.flags[t].todo);

/** todoTests - psc_todo_tests(): which enabled tests have expired at `time`; `new` when some never passed. */
export function todoTests(s: Session, time: number): void {
  s.flags = noFlags();
  s.isNew = TESTS.some((t) => s.info.expires[t] === 'new');
  for (const t of TESTS) if (s.cfg.enabled[t] && time > expiryTime(s.info.expires[t])) s.flags[t].todo = true;
}

/** beginPhase - PSC_BEGIN_TESTS(). */
export function beginPhase(s: Session, phase: string): void {
  s.phase = phase;
  s.phaseStart = s.now;
}

/** drop - PSC_DROP_SESSION_STATE(): no forwarding, this final reply, conclude. */
export function drop(s: Session, reply: string): void {
  s.noForward = true;
  s.finalReply = reply;
  conclude(s);
}

/** enforce - PSC_ENFORCE_SESSION_STATE(): no forwarding; the dummy engine rejects recipients with this reply. */
export function enforce(s: Session, reply: string): void {
  s.rcptReply = reply;
  s.noForward = true;
}

/** formatDelta - format_tv() with two significant digits, as postscreen logs elapsed times. */
export function formatDelta(seconds: number): string {
  if (seconds <= 0) return '0';
  if (seconds >= 10) return String(Math.round(seconds));
  const digits = seconds >= 1 ? 1 : Math.max(1, 1 - Math.floor(Math.log10(seconds)));
  return String(Number(seconds.toFixed(digits)));
}

/** conclude - psc_conclude(). */
export function conclude(s: Session): void {
  for (const t of TESTS) if (s.flags[t].pass) s.passed.add(t);
  if (anyFail(s)) for (const t of TESTS) s.flags[t].pass = false;
  const passed = TESTS.some((t) => s.flags[t].pass);
  if (passed && allPassed(s)) {
    s.pass = !s.isNew || s.info.passNewCount++ > 0 ? 'OLD' : 'NEW';
    info(s, `PASS ${s.pass} ${endpoint(s)}`);
  }
  if (passed && s.cfg.cacheEnabled) {
    s.info.expires = s.cache.update(s.addr, s.info.expires, s.now);
    s.cacheAfter = entry(s.addr, s.info.expires);
    top(s, { kind: 'cache-update', client: s.addr, entry: s.cacheAfter!, ...setting(s, 'postscreen_cache_map') });
  }
  if (!s.noForward) {
    if (!s.smtpdAvailable) {
      const failed = `cannot connect to service private/${s.cfg.smtpdService}: No such file or directory`;
      info(s, `warning: ${failed}`);
      top(s, { kind: 'handoff', service: s.cfg.smtpdService, failed, ...setting(s, 'smtpd_service_name') });
      if (s.flags.pregreet.todo) {
        s.x21 = true;
        s.finalReply = '421 4.3.2 No system resources';
        s.noForward = true;
        return void (s.done = undefined);
      }
      send(s, '421 4.3.2 All server ports are busy');
      s.done = 'dropped';
      return;
    }
    s.done = 'handed-off';
    top(s, { kind: 'handoff', service: s.cfg.smtpdService, ...(s.passSource ? { source: s.passSource } : setting(s, 'smtpd_service_name')) });
    return;
  }
  if (!s.hangup) send(s, s.finalReply);
  info(s, `DISCONNECT ${endpoint(s)}`);
  s.done = s.hangup ? 'hung up' : 'disconnected';
}
