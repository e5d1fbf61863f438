import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import initSqlJs from 'sql.js';
import type { SqlJsStatic } from 'sql.js';
import { bindableQuery, sqliteDriver } from '../../src/engine/tables/sqlite.ts';
import type { Table } from '../../src/engine/tables/types.ts';
import { openTable } from '../../src/engine/tables/registry.ts';

let SQL: SqlJsStatic;
beforeAll(async () => {
  SQL = await initSqlJs();
});
const SCRIPT = `CREATE TABLE u(k TEXT, v); INSERT INTO u VALUES ('joe@example.com','J'),('o''neil','Q'),('m','a'),('m','b'),('n',NULL),('e',''),('r',1.0),('i',42);`;
async function open(cf: string, foldFixed = true, files: Record<string, string> = {}): Promise<Table> {
  const db = new SQL.Database();
  db.exec(SCRIPT);
  const bytes = db.export();
  db.close();
  const all: Record<string, Uint8Array> = { '/db': bytes, '/x.cf': new TextEncoder().encode(cf) };
  for (const [k, v] of Object.entries(files)) all[k] = new TextEncoder().encode(v);
  return sqliteDriver.open('sqlite', '/x.cf', { foldFixed, host: { readFile: (p) => all[p], loadSqlJs: async () => SQL } }, openTable);
}
const Q = "dbpath = /db\nquery = SELECT v FROM u WHERE k = '%s'\n";

describe('sqlite', () => {
  it('folds the key, quotes, joins rows, skips NULL and empty values', async () => {
    const t = await open(Q);
    expect(t.fixed).toBe(true);
    const r = t.lookup('JOE@Example.COM');
    expect(r.status === 'found' && r.value).toBe('J');
    expect(r.trace.query).toBe("SELECT v FROM u WHERE k = 'joe@example.com'");
    expect(t.lookup("O'Neil")).toMatchObject({ status: 'found', value: 'Q' });
    expect(t.lookup('m')).toMatchObject({ status: 'found', value: 'a,b' });
    expect(t.lookup('n').status).toBe('notfound');
    expect(t.lookup('e').warnings?.[0]?.message).toBe('table "sqlite:/x.cf": empty lookup result for: "e" -- ignored');
    expect(t.lookup('r')).toMatchObject({ value: '1.0' });
    expect(t.lookup('i')).toMatchObject({ value: '42' });
    expect((await open(Q, false)).lookup('JOE@Example.COM').status).toBe('notfound');
  });
  it('suppressed queries and the domain filter say why in the trace', async () => {
    const t = await open("dbpath = /db\nquery = SELECT v FROM u WHERE k = '%u@%d'\ndomain = example.com\n");
    expect(t.lookup('joe@example.com')).toMatchObject({ status: 'found', value: 'J' });
    expect(t.lookup('joe@other.com').trace.skipped).toBeDefined();
    expect(t.lookup('joe').trace.skipped).toBeDefined();
  });
  it('reports errors as Postfix does', async () => {
    const bad = await open("dbpath = /db\nquery = SELECT v FROM nosuch WHERE k = '%s'\n");
    expect(bad.lookup('a')).toMatchObject({
      status: 'error',
      error: { severity: 'fatal', message: 'dict_sqlite_lookup: /x.cf: SQL prepare failed: no such table: nosuch?' },
    });
    const lim = await open(Q + 'expansion_limit = 1\n');
    const r = lim.lookup('m');
    expect(r.status).toBe('error');
    expect(r.warnings?.[0]?.message).toBe("dict_sqlite_lookup: /x.cf: Expansion limit exceeded for key 'm'");
    const step = await open("dbpath = /db\nquery = SELECT json_extract('%s', '$')\n");
    expect(step.lookup('{').status).toBe('error');
    expect((await open('query = x\n')).openError?.message).toBe('/x.cf: bad string length 0 < 1: dbpath = ');
    expect((await open("dbpath = /db\nquery = '%x'\n")).openError?.message).toBe("db_common_parse: /x.cf: Invalid query template: '%x'");
  });
});

describe('sqlite bound statements', () => {
  it('binds only literals that stand alone in a SELECT', () => {
    expect(bindableQuery("SELECT v FROM u WHERE k = '%s'")).toEqual({ sql: 'SELECT v FROM u WHERE k = ?', params: ['%s'] });
    expect(bindableQuery("select v from u where k='%u@%d' and x like 'a%%' -- '%%'")).toEqual({
      sql: "select v from u where k=? and x like 'a%' -- '%'",
      params: ['%u@%d'],
    });
    expect(bindableQuery("SELECT v FROM u WHERE k = 'it''s %s'")).toEqual({ sql: 'SELECT v FROM u WHERE k = ?', params: ["it's %s"] });
    for (const q of [
      'SELECT v FROM u WHERE k = %s',
      "SELECT x'%s'",
      "SELECT '%s'1",
      'SELECT "%s"',
      "SELECT '%s' -- %s",
      "SELECT ?, '%s'",
      "SELECT '%s",
      "DELETE FROM u WHERE k = '%s'",
      "/* */ SELECT '%s'",
    ])
      expect(bindableQuery(q)).toBeUndefined();
  });
  // Each template pair means the same; the second is never bound (it does not start with SELECT).
  const pairs = [
    "SELECT v FROM u WHERE k = '%s'",
    "SELECT v FROM u WHERE k = '%u' OR k = '%d' OR k = '%%%s'",
    "SELECT '%s' || '|' || '%S' || '|' || '%U' || '%1' || '%2' || '%D' FROM u LIMIT 1",
    "SELECT v FROM u WHERE k = 'o''%s' OR k = '%s'",
    "SELECT v FROM u WHERE k = 'm'; SELECT v FROM u WHERE k = '%s'", // only the first statement runs
  ];
  const key = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.array(fc.constantFrom("'", '%', '\\', '@', '.', 'é', '😀', 'm', 'neil', 'O', '\0', '\ud800', '"', ';', '--'), { maxLength: 8 }).map((a) => a.join('')),
  );
  it('answers exactly as the textual query does', async () => {
    for (const q of pairs) {
      expect(bindableQuery(q)).toBeDefined();
      const bound = await open(`dbpath = /db\nquery = ${q}\n`);
      const textual = await open(`dbpath = /db\nquery = /**/${q}\n`);
      fc.assert(
        fc.property(key, (k) => {
          const a = bound.lookup(k);
          const b = textual.lookup(k);
          expect(a.trace.query).toBe(b.trace.query?.slice(4));
          expect({ ...a, trace: undefined }).toEqual({ ...b, trace: undefined });
        }),
        { numRuns: 400 },
      );
    }
    expect((await open(Q)).lookup("O'Neil").trace.query).toBe("SELECT v FROM u WHERE k = 'o''neil'");
  });
});
