/*
 * NAME
 *   trace/postscreen-text - the words a renderer shows for one postscreen trace event
 * DESCRIPTION
 *   postscreenEventText() turns a PostscreenEvent into a title (what was
 *   done), a result (its outcome) and a detail (why, or the reply), the way
 *   `postfix-sim smtpd --trace` prints postscreen's part of a connection
 *   and the page labels its rows, so the two say the same thing. It
 *   decides nothing: every fact is in the event. cacheEntryText() words a
 *   temporary-allowlist entry, for the trace and the page's verdict.
 *   This module imports nothing but the trace types.
 * SEE ALSO
 *   trace/types.ts (PostscreenEvent), trace/smtpd-text.ts, postscreen(8)
 */
import type { PostscreenAction, PostscreenCacheEntry, PostscreenEvent, PostscreenEventOf, PostscreenTestName } from './types.ts';
import type { SmtpdEventText } from './smtpd-text.ts';

/** The text of one event (the same shape as smtpd's). */
export type PostscreenEventText = SmtpdEventText;

/** visible - a client's line with control characters shown as octal escapes. */
const visible = (line: string): string => line.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => '\\' + c.charCodeAt(0).toString(8).padStart(3, '0'));

/** Seconds as the trace shows them (at most three decimals). */
const seconds = (n: number): string => `${Number(n.toFixed(3))}s`;

/** What the trace calls a test, as Postfix's verbose log does ("pregreet test"). */
export const testTitle = (t: PostscreenTestName): string => `${t} test`;

/** cacheEntryText - each test's expiry: seconds since the first connection, `new` (never passed) or `disabled`. */
export function cacheEntryText(e: PostscreenCacheEntry): string {
  return Object.entries(e.expires)
    .map(([t, x]) => `${t}=${typeof x === 'number' ? seconds(x) : x}`)
    .join('; ');
}

/** What a test's action does with a client that failed it. */
const ACTIONS: Readonly<Record<PostscreenAction, (reply: string | undefined) => string>> = {
  drop: (reply) => `drop: the client gets ${reply ?? 'a 521 reply'} and the connection is closed`,
  enforce: (reply) => `enforce: the dummy SMTP engine talks to the client and rejects every recipient with ${reply ?? 'a 550 reply'}`,
  ignore: () => 'ignore: the failure is logged and the client goes on as if it had passed',
};

const LIMIT_UNITS: Readonly<Record<PostscreenEventOf<'limit'>['parameter'], string>> = {
  postscreen_client_connection_count_limit: 'simultaneous connections',
  postscreen_command_count_limit: 'commands',
  line_length_limit: 'bytes without a line end',
};

function testText(e: PostscreenEventOf<'test'>): PostscreenEventText {
  if (e.result === 'pass') {
    const how = e.how === 'silent' ? `silent for postscreen_greet_wait (${e.wait ?? 0}s)` : 'the client got to RCPT TO';
    return { title: testTitle(e.test), result: 'pass', detail: `${how}; valid for ${e.ttl}s` };
  }
  const forgiven = e.ttl !== undefined ? `; forgiven for ${e.ttl}s` : '';
  return { title: testTitle(e.test), result: `fail (${e.action})`, detail: `${e.text}\n${ACTIONS[e.action](e.reply)}${forgiven}` };
}

/** postscreenEventText - title, result and detail of one event. */
export function postscreenEventText(e: PostscreenEvent): PostscreenEventText {
  switch (e.kind) {
    case 'connection':
      return {
        title: `postscreen: [${e.client}]:${e.port} -> [${e.server}]:${e.serverPort}`,
        result: e.outcome,
        detail: `decided by ${e.decidedBy}${e.pass ? `; PASS ${e.pass}` : ''}; from ${seconds(e.start)} to ${seconds(e.end)}`,
      };
    case 'no-start':
      return { title: 'postscreen does not start', result: 'fatal', detail: e.reason };
    case 'limit':
      return { title: `${e.parameter} = ${e.limit}`, result: 'over the limit', detail: `${e.count} ${LIMIT_UNITS[e.parameter]}: ${e.reply}` };
    case 'access-list':
      return {
        title: `postscreen_access_list = ${e.value}`,
        result: e.result,
        detail:
          e.result === 'permit'
            ? `${e.item ?? ''}: the client skips every test and goes to smtpd`
            : e.result === 'reject'
              ? `${e.item ?? ''}: postscreen_denylist_action applies`
              : e.result === 'error'
                ? `${e.item ?? ''}: the rest of the list is ignored; the tests run`
                : 'no item decided: the tests run',
      };
    case 'access-item':
      return {
        title: e.item,
        result: e.result,
        ...(e.mynetworks ? { detail: `mynetworks: ${e.mynetworks.join(' ')}` } : e.error !== undefined ? { detail: e.error } : {}),
      };
    case 'lookup':
      return {
        title: `${e.table} ${e.key}`,
        result: e.status === 'found' ? `found: ${e.value ?? ''}` : e.status === 'error' ? 'lookup error' : 'not found',
      };
    case 'denylist':
      return {
        title: `postscreen_denylist_action = ${e.action}`,
        result: e.action,
        detail: e.action === 'ignore' ? 'ignore: the denylisting is logged; the client is tested like any other' : ACTIONS[e.action](e.reply),
      };
    case 'allowlist-veto':
      return {
        title: `postscreen_allowlist_interfaces: ${e.server}`,
        result: 'veto',
        detail: `${e.server} is not an allowlisting address: the client is tested but not handed over`,
      };
    case 'cache-lookup': {
      const todo = `to do: ${e.todo.join(', ') || 'nothing'}`;
      if (!e.enabled) return { title: `postscreen_cache_map lookup ${e.client}`, result: 'no cache', detail: `postscreen_cache_map is empty: ${todo}` };
      if (!e.entry) return { title: `postscreen_cache_map lookup ${e.client}`, result: 'not found', detail: `new client: ${todo}` };
      return { title: `postscreen_cache_map lookup ${e.client}`, result: cacheEntryText(e.entry), detail: todo };
    }
    case 'cache-update':
      return { title: `postscreen_cache_map update ${e.client}`, result: cacheEntryText(e.entry) };
    case 'dnsbl':
      return {
        title: `dnsbl test: score ${e.total}`,
        result: e.verdict === 'blocked' && e.action ? `blocked (${e.action})` : e.verdict,
        detail: `threshold ${e.threshold}, allowlist threshold ${e.allowlistThreshold}, TTL ${e.ttl}s${e.action ? `\n${ACTIONS[e.action](e.reply)}` : ''}`,
      };
    case 'dnsbl-site': {
      const x = e.score;
      const counts = x.matched
        ? `counts ${x.weight}`
        : x.status === 'listed' && x.filter !== undefined
          ? `no reply in ${x.filter}: does not count`
          : 'does not count';
      return { title: `${x.site}: A ${x.query}`, result: x.status === 'listed' ? x.replies.join(' ') : x.status, detail: counts };
    }
    case 'dnsbl-allowlist':
      return {
        title: `postscreen_dnsbl_allowlist_threshold = ${e.allowlistThreshold}`,
        result: 'allowlisted',
        detail: `score ${e.total} <= ${e.allowlistThreshold}: the other tests are skipped for ${e.ttl}s`,
      };
    case 'test':
      return testText(e);
    case 'dummy':
      return {
        title: 'dummy SMTP engine',
        detail: `deep tests to do: ${e.deepTodo.join(', ') || 'none'}${e.greeting ? '' : '; no 220 greeting (the client already talked)'}`,
      };
    case 'command':
      return { title: visible(e.line), ...(e.reply[0] !== undefined && { result: e.reply[0].slice(0, 3) }) };
    case 'hangup':
      return { title: 'the client hangs up', detail: `after ${seconds(e.after)} in ${e.phase}` };
    case 'handoff':
      return e.failed !== undefined
        ? { title: `hand the connection to smtpd (private/${e.service})`, result: 'cannot connect', detail: e.failed }
        : { title: `hand the connection to smtpd (private/${e.service})`, result: 'handed off' };
    case 'notice':
      return { title: e.text };
  }
}
