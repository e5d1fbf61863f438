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
import type { PostscreenCacheEntry, PostscreenTestName, PostscreenVerdict, PostscreenStep, DnsblScore } from '../trace/types.ts';
import type { PostscreenConfig } from './config.ts';
import type { Expires, ScreenCache } from './cache.ts';
import { entry, expiryTime } from './cache.ts';
import { DEEP_TESTS, EARLY_TESTS, TESTS, noFlags, testTitle } from './tests.ts';
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
  trace: PostscreenStep[];
  dnsbl?: DnsblScore;
  pass?: 'NEW' | 'OLD';
  cacheBefore?: PostscreenCacheEntry;
  cacheAfter?: PostscreenCacheEntry;
  /** The client's input not yet read, segment by segment. */
  input: Segment[];
  /** Set when postscreen is done with the connection. */
  done?: 'handed-off' | 'disconnected' | 'dropped' | 'hung up';
  /** smtpd(8) can be reached (master.cf has the pass service). */
  smtpdAvailable: boolean;
  /** The dummy engine's SMTP state. */
  helo?: string;
  sender?: string;
  protocol?: string;
  /** How many input segments postscreen has read from. */
  consumed: number;
  /** Tests that failed in this session (also those whose failure was ignored). */
  failed: Set<PostscreenTestName>;
  decidedBy?: PostscreenVerdict['decidedBy'];
  /** The postscreen_access_list result. */
  access?: PostscreenVerdict['access'];
}

type Given = Pick<Session, 'cfg' | 'cache' | 'addr' | 'port' | 'server' | 'serverPort' | 'now' | 'start' | 'info' | 'input' | 'smtpdAvailable'>;

export function newSession(init: Given): Session {
  return {
    ...init,
    consumed: 0,
    failed: new Set(),
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
    trace: [],
    phaseStart: init.now,
    phase: '',
  };
}

/** `[addr]:port`, as every postscreen line names the client. */
export const endpoint = (s: Session): string => `[${s.addr}]:${s.port}`;

export const info = (s: Session, text: string): void => void s.log.push(text);

export const note = (s: Session, node: PostscreenStep): void => void s.trace.push(node);

/** send - psc_send_reply(): one reply (soft_bounce turns 5 into 4). */
export function send(s: Session, reply: string): void {
  let r = reply;
  if (s.cfg.softBounce) {
    if (r[0] === '5') r = '4' + r.slice(1);
    if (r[4] === '5') r = r.slice(0, 4) + '4' + r.slice(5);
  }
  s.exchanges[s.current]!.server.push(r);
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
  if (anyFail(s)) for (const t of TESTS) s.flags[t].pass = false;
  const passed = TESTS.some((t) => s.flags[t].pass);
  if (passed && allPassed(s)) {
    s.pass = !s.isNew || s.info.passNewCount++ > 0 ? 'OLD' : 'NEW';
    info(s, `PASS ${s.pass} ${endpoint(s)}`);
  }
  if (passed && s.cfg.cacheEnabled) {
    s.info.expires = s.cache.update(s.addr, s.info.expires, s.now);
    s.cacheAfter = entry(s.addr, s.info.expires);
    note(s, { kind: 'cache', title: `postscreen_cache_map update ${s.addr}`, result: cacheText(s.info.expires) });
  }
  if (!s.noForward) {
    if (!s.smtpdAvailable) {
      info(s, `warning: cannot connect to service private/${s.cfg.smtpdService}: No such file or directory`);
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
    note(s, { kind: 'action', title: `hand the connection to smtpd (private/${s.cfg.smtpdService})`, result: 'handed off' });
    return;
  }
  if (!s.hangup) send(s, s.finalReply);
  info(s, `DISCONNECT ${endpoint(s)}`);
  s.done = s.hangup ? 'hung up' : 'disconnected';
}

/** cacheText - an entry as the trace shows it: each test's expiry. */
export function cacheText(e: Expires): string {
  return TESTS.map((t) => `${testTitle(t).replace(/ test$/, '')}=${typeof e[t] === 'number' ? `${formatSeconds(e[t] as number)}` : e[t]}`).join('; ');
}

const formatSeconds = (n: number): string => `${Number(n.toFixed(3))}s`;
