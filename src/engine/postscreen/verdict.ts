/*
 * NAME
 *   postscreen/verdict - what one connection comes to: the verdict and the trace's root
 * DESCRIPTION
 *   When postscreen is done with a connection, screenResult() sums it up:
 *   what the client got (the lines postscreen never read were never
 *   sent, except a pipelined burst), each test's state, what decided the
 *   outcome, the DNSBL score, the cache entry before and after
 *   (PostscreenVerdict), and the `connection` event whose children are the
 *   connection's decisions.
 * SEE ALSO
 *   trace/types.ts (PostscreenVerdict, PostscreenEvent), postscreen(8)
 */
import type { PostscreenTestResult, PostscreenVerdict } from '../trace/types.ts';
import type { ConnectionInput, ScreenResult, Session } from './session.ts';
import { TESTS } from './tests.ts';

/** screenResult - the exchanges, log, verdict and trace of a finished connection. */
export function screenResult(s: Session, c: ConnectionInput, dnsblog: string[]): ScreenResult {
  const cfg = s.cfg;
  const outcome = s.done ?? 'disconnected';
  // Lines postscreen never read were never sent (the server had hung up), except a pipelined burst.
  const sent = c.pipelined ? s.exchanges.length : outcome === 'handed-off' ? 1 : 1 + Math.max(0, s.consumed - (c.pregreet !== undefined ? 1 : 0));
  const exchanges = outcome === 'handed-off' ? s.exchanges.slice(0, 1) : s.exchanges.slice(0, sent);
  const tests: PostscreenTestResult[] = TESTS.map((t) => {
    const f = s.flags[t];
    const failed = s.failed.has(t);
    if (!f.todo) return { test: t, state: cfg.enabled[t] ? 'cached' : 'off' };
    const state = failed ? 'failed' : f.pass || s.passed.has(t) ? 'passed' : 'not done';
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
        kind: 'connection',
        client: s.addr,
        port: s.port,
        server: s.server,
        serverPort: s.serverPort,
        start: s.start,
        end: s.now,
        outcome,
        decidedBy,
        ...(s.pass && { pass: s.pass }),
        children: s.trace,
      },
    ],
    verdict,
    ...(outcome === 'handed-off' && { handoff: { unread: c.pregreet ?? '' } }),
  };
}
