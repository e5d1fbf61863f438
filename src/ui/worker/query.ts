/*
 * NAME
 *   query - the lookup box: one key, as postmap or as a program searches it
 * DESCRIPTION
 *   Without a consumer this is `postmap -q KEY type:name` (`-f` kept):
 *   the first table of the list answers, or with several tables the first
 *   one that has the key. With a consumer (access, transport, virtual,
 *   canonical, aliases) the tables are opened as that daemon opens them
 *   and searched with its key order (engine lookupAs), so the answer says
 *   which derived key was found. The table list may be a main.cf parameter
 *   name (`transport_maps`): its value is used, expanded.
 */
import { CONSUMERS, RESOLVE, createResolver, loadMainCf, lookupAs, makeMaps, matchParentStyle, openAliasTable, splitList } from '../../engine/index.ts';
import type { ConsumerLookup, LookupResult, Table } from '../../engine/index.ts';
import type { FileStore } from './store.ts';
import type { PersistentTableCache } from './table-cache.ts';
import type { QueryRequest, QueryResponse } from './protocol.ts';

const MAIN_CF = '/etc/postfix/main.cf';
type Answer = Omit<Extract<QueryResponse, { ok: true }>, 'id' | 'ok' | 'elapsed'>;

const describe = (t: Table): Answer['tables'][number] => ({
  spec: t.spec,
  type: t.type,
  fixed: t.fixed,
  diagnostics: [...t.diagnostics],
  buildDiagnostics: [...(t.buildDiagnostics ?? [])],
  ...(t.openError && { openError: t.openError }),
  ...(t.notices?.length && { notices: [...t.notices] }),
});

/** runQuery - one key in one list of tables. */
export async function runQuery(store: FileStore, cache: PersistentTableCache, req: QueryRequest): Promise<Answer> {
  const bytes = store.read(MAIN_CF);
  const main = loadMainCf(bytes && new TextDecoder().decode(bytes));
  const spec = req.spec.trim();
  const isParameter = /^[a-z0-9_]+$/.test(spec);
  const specs = splitList(isParameter ? (main.dynamic.get(spec) ?? '') : spec);
  const title = isParameter ? spec : (CONSUMERS.find((c) => c.consumer === req.consumer)?.parameter ?? 'maps');

  if (!req.consumer) {
    const tables = await Promise.all(specs.map((s) => cache.postmap(s, req.noFold)));
    let result: LookupResult | undefined;
    for (const t of tables) {
      result = t.lookup(req.key);
      if (result.status !== 'notfound') break;
    }
    return { tables: tables.map(describe), ...(result && { result }) };
  }

  const daemon = cache.forParams(main);
  const aliases = req.consumer === 'aliases';
  const tables = await Promise.all(
    specs.map((s) => (aliases ? openAliasTable(s, store.host(), main) : daemon.open(s, { noRegsub: req.consumer === 'transport' }))),
  );
  const maps = makeMaps(title, tables);
  const ctx = { host: store.host(), params: main, cache: daemon };
  const resolver = await createResolver(main, { host: store.host(), cache: daemon });
  const parameter = req.consumer === 'access' ? 'smtpd_access_maps' : req.consumer === 'transport' ? 'transport_maps' : title;
  const consumer: ConsumerLookup = lookupAs(req.consumer, maps, req.key, {
    recipientDelimiter: main.get('recipient_delimiter') ?? '',
    myorigin: main.get('myorigin') ?? '',
    isLocal: (d) => {
      const c = resolver.resolveClass(d);
      return c < 0 ? -1 : c & RESOLVE.CLASS_LOCAL ? 1 : 0;
    },
    ownerRequestSpecial: (main.get('owner_request_special') ?? 'yes') === 'yes',
    doubleBounceSender: main.get('double_bounce_sender') ?? 'double-bounce',
    parentStyle: matchParentStyle(ctx, parameter),
  });
  return { tables: tables.map(describe), consumer };
}
