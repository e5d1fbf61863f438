/*
 * NAME
 *   inline - inline:{ key=value, { key = text with spaces } }
 * DESCRIPTION
 *   A table written in its own name. Items are separated by commas or
 *   whitespace; an item in braces may contain whitespace around `=` and
 *   in its value. Keys are folded like any fixed-case table and kept in
 *   quoted form. A later duplicate replaces an earlier one, silently.
 *   Bad syntax makes the whole table fail.
 * SEE ALSO
 *   DATABASE_README ("inline")
 */
import type { LookupResult } from '../trace/types.ts';
import { balancedLength, extpar } from '../util/braces.ts';
import { splitList } from '../util/lists.ts';
import { splitQnameval } from '../util/split-nameval.ts';
import { fatal, keyFolder, keyTrace, surrogateTable, tableRecord } from './driver.ts';
import type { TableDriver } from './types.ts';
import { fileValue } from './dict-file.ts';

/** inline: tables. */
export const inlineDriver: TableDriver = {
  open(type, name, options) {
    const spec = `${type}:${name}`;
    const fail = (why: string): ReturnType<TableDriver['open']> => surrogateTable(type, name, fatal(`${why}: "${spec}"; need "inline:{name=value...}"`));
    const len = balancedLength(name);
    const body = len === 0 || len !== name.length ? '' : name.slice(1, -1);
    if (body === '') return fail('bad syntax');
    const fold = keyFolder(options);
    const store = new Map<string, { value: string; item: string }>();
    for (let item of splitList(body)) {
      if (item[0] === '{') {
        const stripped = extpar(item);
        if (stripped.error) return fail(stripped.error);
        item = stripped.text;
      }
      const nv = splitQnameval(item);
      if ('error' in nv) return fail(nv.error);
      let value = nv.value;
      if (options.rhsIsFile) {
        // -F: the value names files (dict_inline with DICT_FLAG_SRC_RHS_IS_FILE).
        const r = fileValue(value, options.host.readFile);
        if ('error' in r) return surrogateTable(type, name, fatal(`${r.error}: "${spec}"; need "inline:{name=filename...}"`));
        value = r.value;
      }
      store.set(fold(nv.name), { value, item });
    }
    if (store.size === 0) return fail('empty table');
    const table = tableRecord(type, name, true, (key): LookupResult => {
      const folded = fold(key);
      const trace = keyTrace(spec, key, folded);
      const hit = store.get(folded);
      if (!hit) return { status: 'notfound', trace };
      return { status: 'found', value: hit.value, trace: { ...trace, match: { rule: hit.item } } };
    });
    // dict_ht order (a randomised hash table in Postfix); the simulator lists keys sorted.
    return { ...table, sequence: () => ({ entries: [...store.keys()].sort().map((key) => ({ key, value: store.get(key)!.value })) }) };
  },
};
