/*
 * NAME
 *   engine.worker - runs the lookup engine off the page's main thread
 * DESCRIPTION
 *   A pathological pattern or a big table can take a long time; here it
 *   only blocks this worker, which the client terminates on a timeout.
 */
import { openTable } from '../../engine/index.ts';
import { createHost } from '../host.ts';
import type { LookupRequest, LookupResponse } from './protocol.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = async (event: MessageEvent<LookupRequest>) => {
  const req = event.data;
  const started = performance.now();
  let response: LookupResponse;
  try {
    const host = createHost(new Map(req.files), req.environment);
    const table = await openTable(req.spec, {
      host,
      foldFixed: !req.noFold,
      builtWithoutFolding: req.noFold,
    });
    try {
      const result = table.lookup(req.key);
      response = {
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
  } catch (e) {
    response = { id: req.id, ok: false, message: `internal error: ${(e as Error).message ?? String(e)}` };
  }
  try {
    scope.postMessage(response);
  } catch (e) {
    // A result that cannot be cloned is an engine bug; say so rather than hang.
    scope.postMessage({ id: req.id, ok: false, message: `internal error: ${(e as Error).message}` });
  }
};
