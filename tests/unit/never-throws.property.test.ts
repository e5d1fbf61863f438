// Property: no table text, however malformed, makes a driver throw or hang;
// every lookup answers found, notfound or error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openTable } from '../../src/engine/index.ts';
import { memoryHost } from '../support/memory-host.ts';

// Characters that matter to Postfix table syntax, so random text hits the parsers' corners.
const syntaxChar = fc.constantFrom(...'abcAB019 \t\n#/!{}[]()\\$:;,.=@%\'"*+?|^-_<>iIxXmsAEU'.split(''));
const tableText = fc.array(syntaxChar, { maxLength: 120 }).map((a) => a.join(''));
const key = fc.oneof(
  fc.array(syntaxChar, { maxLength: 20 }).map((a) => a.join('')),
  fc.constantFrom('1.2.3.4', '::1', '2001:db8::1', 'user@example.com', ''),
);
const FILE_TYPES = ['hash', 'btree', 'lmdb', 'cdb', 'texthash', 'regexp', 'pcre', 'cidr'];

describe('random table text never throws', () => {
  for (const type of FILE_TYPES) {
    it(`${type}:`, async () => {
      await fc.assert(
        fc.asyncProperty(tableText, fc.array(key, { maxLength: 4 }), async (text, keys) => {
          const t = await openTable(`${type}:/etc/postfix/t`, { host: memoryHost({ '/etc/postfix/t': text }) });
          for (const k of keys) expect(['found', 'notfound', 'error']).toContain(t.lookup(k).status);
        }),
        { numRuns: 300 },
      );
    });
  }
  it('inline:, static:, unionmap:, pipemap: names', async () => {
    const name = fc.array(syntaxChar, { maxLength: 40 }).map((a) => a.join(''));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('inline', 'static', 'unionmap', 'pipemap', 'proxy'), name, key, async (type, n, k) => {
        const t = await openTable(`${type}:${n}`, { host: memoryHost({}) });
        expect(['found', 'notfound', 'error']).toContain(t.lookup(k).status);
      }),
      { numRuns: 500 },
    );
  });
  it('sqlite: .cf files', async () => {
    const init = (await import('sql.js')).default;
    const SQL = await init();
    const db = new SQL.Database();
    db.run("create table t(k text, v text); insert into t values ('a','1')");
    const bytes = db.export();
    await fc.assert(
      fc.asyncProperty(tableText, key, async (cf, k) => {
        const host = memoryHost({ '/etc/postfix/s.cf': 'dbpath = /etc/postfix/s.db\n' + cf, '/etc/postfix/s.db': bytes });
        const t = await openTable('sqlite:/etc/postfix/s.cf', { host });
        expect(['found', 'notfound', 'error']).toContain(t.lookup(k).status);
      }),
      { numRuns: 200 },
    );
  });
});
