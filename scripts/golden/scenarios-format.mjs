/*
 * NAME
 *   scenarios-format - the files of a scenario, shared by the recorder and the vitest harness
 * DESCRIPTION
 *   A scenario under tests/golden/scenarios/ is a configuration directory
 *   with words and expectation files (src/engine/expect/library.ts says
 *   which file is which); an exercise also has solution/. Both the
 *   recorder (scripts/golden/record-scenarios.mjs) and the harness
 *   (tests/unit/golden-scenarios.test.ts) find its configurations here, and
 *   fingerprint them the same way, so the harness can tell whether a
 *   recording is of the current files. The layout rules come from the
 *   engine, handed in (the recorder has it bundled, the harness imports it).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The layout rules of the engine that say which files are a scenario's configuration.
 * @typedef {object} ScenarioLayout
 * @property {(path: string) => boolean} isConfigurationFile
 * @property {(files: Readonly<Record<string, string>>, solution: Readonly<Record<string, string>>) => Record<string, string>} withSolution
 * @property {string} SOLUTION_DIRECTORY
 */

/**
 * filesOf - every file under dir, relative to it, sorted (directories walked).
 * @param {string} dir
 * @param {string} [under]
 * @returns {string[]}
 */
export function filesOf(dir, under = '') {
  /** @type {string[]} */
  const out = [];
  for (const name of readdirSync(join(dir, under)).sort()) {
    const rel = under ? `${under}/${name}` : name;
    if (statSync(join(dir, rel)).isDirectory()) out.push(...filesOf(dir, rel));
    else out.push(rel);
  }
  return out;
}

/**
 * configurationSources - { label: { relative path: file on disk } }: `scenario`,
 * or an exercise's `start` and `solution` (solution/ laid over the start).
 * @param {string} dir
 * @param {ScenarioLayout} layout
 * @returns {Record<string, Record<string, string>>}
 */
export function configurationSources(dir, layout) {
  const files = Object.fromEntries(
    filesOf(dir)
      .filter(layout.isConfigurationFile)
      .map((f) => [f, join(dir, f)]),
  );
  const solution = join(dir, layout.SOLUTION_DIRECTORY);
  if (!existsSync(solution)) return { scenario: files };
  const over = Object.fromEntries(filesOf(solution).map((f) => [f, join(solution, f)]));
  return { start: files, solution: layout.withSolution(files, over) };
}

/**
 * digest - sha256 of each file of a configuration, by relative path in name order.
 * @param {Readonly<Record<string, string>>} sources
 * @returns {Record<string, string>}
 */
export function digest(sources) {
  return Object.fromEntries(
    Object.keys(sources)
      .sort()
      .map((f) => [f, createHash('sha256').update(readFileSync(sources[f])).digest('hex')]),
  );
}
