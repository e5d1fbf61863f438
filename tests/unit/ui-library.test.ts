// The scenario library as the page bundles it, opened as workspaces and checked the way the page's
// worker checks them: every scenario's expectations hold; every exercise starts with a goal missed
// and is solved by its solution. (golden-scenarios.test.ts holds the directories against real
// Postfix; this holds the page's reading of them: paths, sessions, NAME.sql, the worker's checker.)
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import type { SqlJsStatic } from 'sql.js';
import { describe, expect, it } from 'vitest';
import { SCENARIOS, scenarioNamed } from '../../src/ui/library/scenarios.ts';
import { changedBySolution, scenarioWorkspace } from '../../src/ui/library/workspace.ts';
import type { WorkspaceData } from '../../src/ui/state/types.ts';
import { expectationPaths, runExpect } from '../../src/ui/worker/expect.ts';
import { FileStore } from '../../src/ui/worker/store.ts';
import { PersistentTableCache } from '../../src/ui/worker/table-cache.ts';

const LIBRARY = join(import.meta.dirname, '..', 'golden', 'scenarios');
let sql: Promise<SqlJsStatic> | undefined;
const nodeSqlJs = (): Promise<SqlJsStatic> => (sql ??= initSqlJs());
const encoder = new TextEncoder();

/** What the page's worker answers for a workspace's expectation files. */
async function check(w: WorkspaceData) {
  const store = new FileStore(nodeSqlJs);
  store.apply({ files: w.files.map((f) => [f.path, f.bytes ?? encoder.encode(f.text ?? '')]), environment: {} });
  await store.buildSqlScripts();
  const cache = new PersistentTableCache(store);
  return runExpect(store, cache.forParams.bind(cache), { id: 1, kind: 'expect', environment: {}, dnsPath: w.dnsPath, factsPath: w.factsPath });
}

describe('the bundled library', () => {
  it('holds every scenario directory, with its words; exercises are those with a solution', () => {
    const dirs = readdirSync(LIBRARY).filter((d) => statSync(join(LIBRARY, d)).isDirectory());
    expect(SCENARIOS.map((s) => s.name).sort()).toEqual(dirs.sort());
    expect(SCENARIOS.filter((s) => s.exercise).map((s) => s.name)).toEqual(expect.arrayContaining(['exercise-close-open-relay']));
    for (const s of SCENARIOS) {
      expect(s.info.title, s.name).not.toBe('');
      expect(s.info.summary, s.name).not.toBe('');
      expect(s.files['expected.json'], s.name).toBeUndefined();
      if (s.exercise) {
        expect(
          s.info.sections.map((x) => x.heading),
          s.name,
        ).toEqual(expect.arrayContaining(['Task', 'Hints']));
        expect(s.info.hints.length, s.name).toBeGreaterThan(0);
        expect(changedBySolution(s).length, s.name).toBeGreaterThan(0);
      }
    }
  });

  it('relay-control opens as /etc/postfix with its sessions, addresses and expectations', () => {
    const s = scenarioNamed('relay-control')!;
    const w = scenarioWorkspace(s);
    expect(w.scenario).toBe('relay-control');
    expect(w.view).toBe('smtpd');
    expect(w.files.map((f) => f.path)).toContain('/etc/postfix/main.cf');
    expect(w.files.some((f) => f.path.includes('README') || f.path.includes('expected.json'))).toBe(false);
    expect(expectationPaths(w.files.map((f) => f.path)).length).toBeGreaterThan(0);
    expect(w.sessions.length).toBeGreaterThan(1);
    expect(w.sessions[0]!.dialogue).toMatch(/^EHLO /m);
    expect(w.open[0]).toBe('/etc/postfix/main.cf');
  });
});

describe('every scenario checked as the page checks it', () => {
  for (const s of SCENARIOS) {
    it(s.exercise ? `${s.name}: the start misses a goal, the solution meets them all` : `${s.name}: every expectation holds`, async () => {
      const start = await check(scenarioWorkspace(s));
      expect(start.fatal, s.name).toBeUndefined();
      const results = start.files.flatMap((f) => f.results);
      expect(results.length, s.name).toBeGreaterThan(0);
      if (!s.exercise) {
        expect(
          results.filter((r) => !r.pass),
          s.name,
        ).toEqual([]);
        return;
      }
      expect(
        results.some((r) => !r.pass),
        `${s.name}: the start should miss a goal`,
      ).toBe(true);
      const solved = await check(scenarioWorkspace(s, { solution: true }));
      expect(
        solved.files.flatMap((f) => f.results).filter((r) => !r.pass),
        s.name,
      ).toEqual([]);
    });
  }
});
