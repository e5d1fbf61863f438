import { describe, expect, it } from 'vitest';
import { CfgFatal, cfgParserFromFile, parseParameterFile } from '../../src/engine/tables/cfg-parser.ts';
import { buildLegacyQuery, createContext, expand, parseTemplate } from '../../src/engine/tables/db-common.ts';

const q = (s: string) => s.replaceAll("'", "''");
function run(query: string, key: string, result?: string) {
  const ctx = createContext('sqlite', '/x.cf');
  parseTemplate(ctx, query, true);
  if (result) parseTemplate(ctx, result, false);
  const out: { text: string; why?: string } = { text: '' };
  return expand(ctx, query, key, undefined, out, [], q) ? out.text : undefined;
}

describe('db_common', () => {
  it('expands %s %u %d %S %U %D %1..%9 %% (values from real postmap)', () => {
    expect(run("'%u|%d|%S|%U|%D|%1|%2|%%'", 'user@sub.example.com')).toBe("'user|sub.example.com|user@sub.example.com|user|sub.example.com|com|example|%'");
    expect(run("'%s'", "o'neil")).toBe("'o''neil'");
    expect(run("'%2'", 'u@a..c')).toBe("'a'"); // empty labels vanish
  });
  it('suppresses queries the key cannot fill', () => {
    expect(run("'%d'", 'bare')).toBeUndefined();
    expect(run("'%u'", '@example.com')).toBeUndefined();
    expect(run("'%3'", 'u@b.c')).toBeUndefined();
    expect(run("'%s'", 'bare', '%D')).toBeUndefined(); // the result template shares the context
  });
  it('rejects unknown expansions with Postfix wording', () => {
    expect(() => run("'%x'", 'a')).toThrow(new CfgFatal("db_common_parse: /x.cf: Invalid query template: '%x'"));
  });
  it('reads main.cf syntax and builds the legacy query', () => {
    const p = parseParameterFile('# c\ntable = t\nselect_field = f\n  # inside\nwhere_field =\n w\n', '/x.cf');
    if ('error' in p) throw new Error(p.error);
    const parser = cfgParserFromFile('/x.cf', p.params, p.diagnostics);
    expect(buildLegacyQuery(parser)).toBe("SELECT f FROM t WHERE w='%s' ");
    expect(parseParameterFile('bogus\n', '/x.cf')).toEqual({ error: '/x.cf, line 1: missing \'=\' after attribute name: "bogus"' });
    expect(() => parser.getStr('dbpath', '', 1, 0)).toThrow('/x.cf: bad string length 0 < 1: dbpath = ');
  });
});
