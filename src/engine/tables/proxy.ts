/*
 * NAME
 *   proxy - proxy:type:name, read through proxymap(8)
 * DESCRIPTION
 *   proxymap(8) answers from the table it opens on the client's behalf, so
 *   the simulator answers from the table itself and says so in the trace.
 *   (Real postmap needs a running Postfix for proxy: tables.)
 * SEE ALSO
 *   proxymap(8)
 */
import { surrogateTable } from './driver.ts';
import type { Table, TableDriver } from './types.ts';

/** proxy: tables. */
export const proxyDriver: TableDriver = {
  async open(type, name, options, openMember): Promise<Table> {
    const inner = await openMember(name, options);
    const spec = `${type}:${name}`;
    if (inner.openError) return surrogateTable(type, name, inner.openError, inner.fixed, inner.diagnostics);
    return {
      spec,
      type,
      name,
      fixed: inner.fixed,
      diagnostics: inner.diagnostics,
      ...(inner.buildDiagnostics && { buildDiagnostics: inner.buildDiagnostics }),
      lookup(key) {
        const r = inner.lookup(key);
        return { ...r, trace: { table: spec, key, children: [r.trace], notes: ['answered by proxymap(8) from ' + name] } };
      },
      close: () => inner.close?.(),
    };
  },
};
