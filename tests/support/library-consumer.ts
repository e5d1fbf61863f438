// Type-checked by `npm run check` against the published declarations (dist-lib/types):
// a library user's view of the engine.
import { openTable } from 'postfix-sim';
import type { Host, LookupResult, Table } from 'postfix-sim';

const host: Host = { readFile: () => undefined };

export async function valueOf(spec: string, key: string): Promise<string | undefined> {
  const table: Table = await openTable(spec, { host });
  const result: LookupResult = table.lookup(key);
  return result.status === 'found' ? result.value : undefined;
}
