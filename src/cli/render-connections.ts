/*
 * NAME
 *   render-connections - `postfix-sim smtpd` output for a dialogue of connections
 * DESCRIPTION
 *   Each connection's server replies, then with --log its log lines
 *   (`postfix/postscreen: ...`, `postfix/dnsblog: ...`, `postfix/smtpd:
 *   ...`), with --trace its trace; a dialogue with `# connection` lines
 *   starts each block with `# connection N`. --json prints
 *   {"connections": [...]}, each element shaped like the single-session
 *   object (service, exchanges, log, accepted, trace, fatal) plus
 *   `connection` and, behind postscreen, `postscreen` (its verdict).
 */
import type { ConnectionResult } from '../engine/index.ts';
import { renderPostscreenSteps, renderTrace } from './render-trace.ts';

export interface RenderOptions {
  service: string;
  /** The dialogue has `# connection` lines. */
  multi: boolean;
  log: boolean;
  json: boolean;
  trace: boolean;
}

/** renderConnections - stdout and exit status (1 when a daemon did not start). */
export function renderConnections(connections: readonly ConnectionResult[], o: RenderOptions): { stdout: string; status: number } {
  const status = connections.some((c) => c.fatal) ? 1 : 0;
  if (o.json) {
    const elements = connections.map((c) => ({
      service: o.service,
      connection: c.connection,
      exchanges: c.exchanges,
      log: c.log,
      accepted: c.accepted,
      trace: c.trace,
      ...(c.fatal && { fatal: c.fatal }),
      ...(c.postscreen && { postscreen: c.postscreen }),
      ...(c.postscreenTrace && { postscreenTrace: c.postscreenTrace }),
    }));
    return { stdout: JSON.stringify({ connections: elements }, null, 2) + '\n', status };
  }
  let stdout = '';
  for (const c of connections) {
    if (o.multi) stdout += `# connection ${c.connection.index}\n`;
    stdout += c.exchanges.flatMap((e) => e.server.map((l) => l + '\n')).join('');
    if (o.log) stdout += c.log.map((l) => `${l.program}: ${l.text}\n`).join('');
    if (o.trace) stdout += renderPostscreenSteps(c.postscreenTrace ?? []) + renderTrace(c.trace);
  }
  return { stdout, status };
}
