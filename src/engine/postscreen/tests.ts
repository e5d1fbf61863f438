/*
 * NAME
 *   postscreen/tests - postscreen's tests, their parameters and flags, named once
 * DESCRIPTION
 *   postscreen(8) keeps, per client, one expiry time per test: the
 *   pre-greeting tests (pregreet, dnsbl) and the "deep protocol" tests
 *   after the greeting (pipelining, non-smtp command, bare newline). Each
 *   test has an on/off switch, an action (ignore, enforce, drop) and a
 *   time to live. Per session a test is to do (TODO), passed (PASS),
 *   failed (FAIL), or done/skipped (DONE: a final decision was logged).
 *   The order is Postfix's (PSC_TINDX_*): it is the order of the fields of
 *   a cache entry.
 * SEE ALSO
 *   postscreen(8), postconf(5), Postfix src/postscreen/postscreen.h
 */
import type { PostscreenAction, PostscreenTestName } from '../trace/types.ts';
import type { ParamName } from '../config/names.ts';

/** The tests in cache-entry order (pregreet;dnsbl;pipelining;non-smtp command;bare newline). */
export const TESTS: readonly PostscreenTestName[] = ['pregreet', 'dnsbl', 'pipelining', 'non-smtp command', 'bare newline'];

/** Tests before the greeting; the others run in the dummy SMTP engine after it. */
export const EARLY_TESTS: readonly PostscreenTestName[] = ['pregreet', 'dnsbl'];
export const DEEP_TESTS: readonly PostscreenTestName[] = ['pipelining', 'non-smtp command', 'bare newline'];

/** The parameters of each test. `enable` is absent where Postfix has no switch (the value decides). */
export const TEST_PARAMS: Readonly<Record<PostscreenTestName, { enable?: ParamName; action: ParamName; ttl: ParamName }>> = {
  pregreet: { action: 'postscreen_greet_action', ttl: 'postscreen_greet_ttl' },
  dnsbl: { action: 'postscreen_dnsbl_action', ttl: 'postscreen_dnsbl_min_ttl' },
  pipelining: { enable: 'postscreen_pipelining_enable', action: 'postscreen_pipelining_action', ttl: 'postscreen_pipelining_ttl' },
  'non-smtp command': {
    enable: 'postscreen_non_smtp_command_enable',
    action: 'postscreen_non_smtp_command_action',
    ttl: 'postscreen_non_smtp_command_ttl',
  },
  'bare newline': { enable: 'postscreen_bare_newline_enable', action: 'postscreen_bare_newline_action', ttl: 'postscreen_bare_newline_ttl' },
};

/** Action names as postscreen reads them; `continue` is the old name of ignore. */
export const ACTION_NAMES: Readonly<Record<string, PostscreenAction>> = { drop: 'drop', enforce: 'enforce', ignore: 'ignore', continue: 'ignore' };

/** Per-test flags of one session (Postfix's PSC_STATE_FLAG_*_{TODO,PASS,FAIL,DONE}). */
export interface TestFlags {
  todo: boolean;
  pass: boolean;
  fail: boolean;
  /** DONE for the early tests, SKIP for the deep tests: the decision is final for this session. */
  done: boolean;
}

export type SessionFlags = Record<PostscreenTestName, TestFlags>;

export const noFlags = (): SessionFlags =>
  Object.fromEntries(TESTS.map((t) => [t, { todo: false, pass: false, fail: false, done: false }])) as unknown as SessionFlags;

/** What the trace calls a test, as Postfix's verbose log does ("pregreet test"). */
export const testTitle = (t: PostscreenTestName): string => `${t} test`;
