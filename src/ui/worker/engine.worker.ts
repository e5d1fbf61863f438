/*
 * NAME
 *   engine.worker - runs the engine off the page's main thread
 * DESCRIPTION
 *   A pathological pattern, a big table or a long session can take a long
 *   time; here it only blocks this worker, which the client terminates on
 *   a timeout. Requests: a table lookup, an SMTP session, address resolution.
 */
import { openTable } from '../../engine/index.ts';
import { createHost } from '../host.ts';
import type { EngineRequest, EngineResponse, LookupRequest, LookupResponse } from './protocol.ts';
import { runResolveRequest, runSmtpdRequest } from './simulate.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;

async function lookup(req: LookupRequest, started: number): Promise<LookupResponse> {
  const host = createHost(new Map(req.files), req.environment);
  const table = await openTable(req.spec, {
    host,
    foldFixed: !req.noFold,
    builtWithoutFolding: req.noFold,
  });
  try {
    const result = table.lookup(req.key);
    return {
      id: req.id,
      ok: true,
      table: {
        spec: table.spec,
        type: table.type,
        fixed: table.fixed,
        diagnostics: [...table.diagnostics],
        buildDiagnostics: [...(table.buildDiagnostics ?? [])],
        ...(table.openError && { openError: table.openError }),
      },
      result,
      elapsed: performance.now() - started,
    };
  } finally {
    table.close?.();
  }
}

scope.onmessage = async (event: MessageEvent<EngineRequest>) => {
  const req = event.data;
  const started = performance.now();
  let response: EngineResponse;
  try {
    if (req.kind === 'smtpd') {
      const host = createHost(new Map(req.files), req.environment);
      response = { id: req.id, ok: true, ...(await runSmtpdRequest(host, req)), elapsed: performance.now() - started };
    } else if (req.kind === 'resolve') {
      const host = createHost(new Map(req.files), req.environment);
      response = { id: req.id, ok: true, ...(await runResolveRequest(host, req)), elapsed: performance.now() - started };
    } else {
      response = await lookup(req, started);
    }
  } catch (e) {
    // One line naming what was being done: never a stack trace on the page.
    const doing =
      req.kind === 'smtpd' ? 'playing the SMTP session' : req.kind === 'resolve' ? 'resolving the addresses' : `looking up "${req.key}" in ${req.spec}`;
    const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    response = { id: req.id, ok: false, message: `internal error while ${doing}: ${what.replace(/\s*\n\s*/g, ' ')}` };
  }
  try {
    scope.postMessage(response);
  } catch (e) {
    // A result that cannot be cloned is an engine bug; say so rather than hang.
    scope.postMessage({ id: req.id, ok: false, message: `internal error: ${(e as Error).message}` });
  }
};
