/*
 * NAME
 *   expect - the workspace's expectation files, checked in the worker
 * DESCRIPTION
 *   As `postfix-sim test /etc/postfix` runs them: every /etc/postfix/*.expect,
 *   then /etc/postfix/tests/*.expect, in name order, against one scenario
 *   per master.cf service over the workspace's files and facts (the DNS and
 *   policy facts files when they exist; NAME.sql standing for the database
 *   NAME, store.ts). Tables come from the worker's cache, so a keystroke in
 *   one file reopens only what read it. Results are the engine's
 *   CheckResults, with the file's path so the page links each to its line.
 * SEE ALSO
 *   src/cli/test.ts, src/engine/expect/check.ts
 */
import { checkExpectations, isExpectFile, parseExpectations, scenarioOpener } from '../../engine/index.ts';
import type { CacheFor } from './simulate.ts';
import type { ExpectFileAnswer, ExpectRequest } from './protocol.ts';
import type { FileStore } from './store.ts';

const CONFIG = '/etc/postfix/';
const decoder = new TextDecoder();

/** The expectation files among the workspace's paths, in the order `postfix-sim test` runs them. */
export function expectationPaths(paths: readonly string[]): string[] {
  const rel = paths.filter((p) => p.startsWith(CONFIG) && isExpectFile(p.slice(CONFIG.length))).map((p) => p.slice(CONFIG.length));
  const top = rel.filter((r) => !r.includes('/')).sort();
  const tests = rel.filter((r) => r.startsWith('tests/')).sort();
  return [...top, ...tests].map((r) => CONFIG + r);
}

/** runExpect - every expectation file's verdicts. */
export async function runExpect(store: FileStore, cacheFor: CacheFor, req: ExpectRequest): Promise<{ files: ExpectFileAnswer[]; fatal?: string }> {
  const host = store.host();
  const dnsPath = req.dnsPath.trim();
  const factsPath = req.factsPath.trim();
  const open = scenarioOpener({
    host,
    tableCache: cacheFor,
    ...(dnsPath && host.readFile(dnsPath) && { dnsPath }),
    ...(factsPath && host.readFile(factsPath) && { factsPath }),
  });
  const files: ExpectFileAnswer[] = [];
  for (const path of expectationPaths(store.paths())) {
    const parsed = parseExpectations(decoder.decode(store.read(path) ?? new Uint8Array()), path);
    files.push({ path, results: await checkExpectations(parsed, open), diagnostics: parsed.diagnostics.filter((d) => d.severity === 'warning') });
  }
  if (files.length === 0) return { files };
  const scenario = await open('smtp');
  const fatal = scenario.fatal ? `${scenario.fatal.program ?? 'postfix'}: fatal: ${scenario.fatal.message}` : undefined;
  return { files, ...(fatal && { fatal }) };
}
