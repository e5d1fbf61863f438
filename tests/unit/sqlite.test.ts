import { beforeAll, describe, expect, it } from 'vitest';
import initSqlJs from 'sql.js';
import type { SqlJsStatic } from 'sql.js';
import { sqliteDriver } from '../../src/engine/tables/sqlite.ts';
import type { Table } from '../../src/engine/tables/types.ts';

let SQL: SqlJsStatic;
beforeAll(async () => { SQL = await initSqlJs(); });
const SCRIPT = `CREATE TABLE u(k TEXT, v); INSERT INTO u VALUES ('joe@example.com','J'),('o''neil','Q'),('m','a'),('m','b'),('n',NULL),('e',''),('r',1.0),('i',42);`;
async function open(cf: string, foldFixed = true, files: Record<string, string> = {}): Promise<Table> {
  const db = new SQL.Database(); db.exec(SCRIPT); const bytes = db.export(); db.close();
  const all: Record<string, Uint8Array> = { '/db': bytes, '/x.cf': new TextEncoder().encode(cf) };
  for (const [k, v] of Object.entries(files)) all[k] = new TextEncoder().encode(v);
  return sqliteDriver.open('sqlite', '/x.cf', { foldFixed, host: { readFile: (p) => all[p], loadSqlJs: async () => SQL } });
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
    expect(bad.lookup('a')).toMatchObject({ status: 'error', error: { severity: 'fatal', message: 'dict_sqlite_lookup: /x.cf: SQL prepare failed: no such table: nosuch?' } });
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
