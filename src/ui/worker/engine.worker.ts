/*
 * NAME
 *   engine.worker - runs the engine off the page's main thread
 * DESCRIPTION
 *   A pathological pattern, a big table or a long session can take a long
 *   time; here it only blocks this worker, which the client terminates on
 *   a timeout. Requests: a table lookup, an SMTP session, address
 *   resolution, and the workbench's check, query and SQLite requests.
 *   The files stay here between requests (store.ts) with the tables opened
 *   from them (table-cache.ts), so a request only sends what changed.
 */
import { openTable } from '../../engine/index.ts';
import type { EngineRequest, EngineResponse, LookupRequest, LookupResponse } from './protocol.ts';
import { runResolveRequest, runSmtpdRequest } from './simulate.ts';
import { runCheck } from './check.ts';
import { runQuery } from './query.ts';
import { runSqlite } from './sqlite-ops.ts';
import { FileStore } from './store.ts';
import { PersistentTableCache } from './table-cache.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const store = new FileStore();
const cache = new PersistentTableCache(store);
const cacheFor = cache.forParams.bind(cache);

async function lookup(req: LookupRequest, started: number): Promise<LookupResponse> {
  const table = await openTable(req.spec, {
    host: store.host(),
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

async function answer(req: EngineRequest, started: number): Promise<EngineResponse> {
  store.apply(req);
  const done = { id: req.id, ok: true as const };
  const elapsed = (): number => performance.now() - started;
  switch (req.kind) {
    case 'smtpd':
      return { ...done, ...(await runSmtpdRequest(store.host(), req, cacheFor)), elapsed: elapsed() };
    case 'resolve':
      return { ...done, ...(await runResolveRequest(store.host(), req, cacheFor)), elapsed: elapsed() };
    case 'check':
      return { ...done, ...(await runCheck(store, cache, req)), elapsed: elapsed() };
    case 'query':
      return { ...done, ...(await runQuery(store, cache, req)), elapsed: elapsed() };
    case 'sqlite':
      return { ...done, ...(await runSqlite(store, req)), elapsed: elapsed() };
    default:
      return lookup(req, started);
  }
}

scope.onmessage = async (event: MessageEvent<EngineRequest>) => {
  const req = event.data;
  const started = performance.now();
  let response: EngineResponse;
  try {
    response = await answer(req, started);
  } catch (e) {
    // One line naming what was being done: never a stack trace on the page.
    const doing =
      req.kind === 'smtpd'
        ? 'playing the SMTP session'
        : req.kind === 'resolve'
          ? 'resolving the addresses'
          : req.kind === undefined || req.kind === 'lookup'
            ? `looking up "${req.key}" in ${req.spec}`
            : `answering a ${req.kind} request`;
    const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    response = { id: req.id, ok: false, message: `internal error while ${doing}: ${what.replace(/\s*\n\s*/g, ' ')}` };
  }
  try {
    const bytes = 'bytes' in response && response.bytes instanceof Uint8Array ? [response.bytes.buffer as ArrayBuffer] : [];
    scope.postMessage(response, bytes);
  } catch (e) {
    // A result that cannot be cloned is an engine bug; say so rather than hang.
    scope.postMessage({ id: req.id, ok: false, message: `internal error: ${(e as Error).message}` });
  }
};
