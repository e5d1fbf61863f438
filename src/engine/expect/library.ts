/*
 * NAME
 *   expect/library - how a scenario directory is laid out, and its words
 * SYNOPSIS
 *   isExpectFile('tests/relay.expect')              true
 *   isConfigurationFile('solution/main.cf')         false
 *   parseScenarioReadme(text)                       title, summary, sections, hints
 *   withSolution(files, solutionFiles)              an exercise's reference answer
 *   askedBy(expectFiles)                            what they ask: sessions, addresses, lookups
 * DESCRIPTION
 *   A scenario is a configuration directory (what /etc/postfix holds, plus
 *   the `dns`, `facts` and `passwd` facts) with words around it:
 *
 *     README.md        # Title, a summary paragraph, then `## ` sections
 *                      (What to look at; for an exercise: Task, Hints)
 *     *.expect         expectations (expect/format.ts); also under tests/
 *     solution/        an exercise's reference answer: files that replace
 *                      or add to the starting configuration
 *     expected.json    the recording of real Postfix (bundled scenarios)
 *
 *   Everything else is configuration. An exercise is a scenario with a
 *   solution/ directory: its expectations are the goals, which the
 *   starting configuration does not meet and the solution does.
 * SEE ALSO
 *   tests/golden/scenarios/README.md
 */

import type { ExpectFile } from './types.ts';

/** Expectation files end with this. */
export const EXPECT_SUFFIX = '.expect';
/** The scenario's words. */
export const SCENARIO_README = 'README.md';
/** An exercise's reference answer (files over the starting configuration). */
export const SOLUTION_DIRECTORY = 'solution';
/** The recording of real Postfix that a bundled scenario carries. */
export const SCENARIO_RECORDING = 'expected.json';

/** isExpectFile - an expectation file of a configuration directory (DIR/*.expect or DIR/tests/*.expect). */
export const isExpectFile = (path: string): boolean => path.endsWith(EXPECT_SUFFIX) && /^(tests\/)?[^/]+$/.test(path);

/** isConfigurationFile - a path (relative to the scenario) that is part of the configuration Postfix reads. */
export function isConfigurationFile(path: string): boolean {
  if (path === SCENARIO_README || path === SCENARIO_RECORDING || path.endsWith(EXPECT_SUFFIX)) return false;
  return !path.startsWith(`${SOLUTION_DIRECTORY}/`) && !path.startsWith('tests/');
}

/** withSolution - the starting files with the solution's files laid over them. */
export function withSolution(files: Readonly<Record<string, string>>, solution: Readonly<Record<string, string>>): Record<string, string> {
  return { ...files, ...solution };
}

/** A scenario's words, from its README.md. */
export interface ScenarioInfo {
  /** The `# ` heading. */
  title: string;
  /** The first paragraph after it. */
  summary: string;
  /** Every `## ` section, in order, with its text (Markdown as written). */
  sections: { heading: string; text: string }[];
  /** The bullets of the `## Hints` section, in order (exercises). */
  hints: string[];
}

/** parseScenarioReadme - title, summary, sections and hints; undefined when there is no `# Title`. */
export function parseScenarioReadme(text: string): ScenarioInfo | undefined {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const titleAt = lines.findIndex((l) => /^# \S/.test(l));
  if (titleAt < 0) return undefined;
  const title = lines[titleAt]!.slice(2).trim();
  const intro: string[] = [];
  const parts: { heading: string; lines: string[] }[] = [];
  for (const line of lines.slice(titleAt + 1)) {
    const h = /^## (.*)$/.exec(line);
    if (h) parts.push({ heading: h[1]!.trim(), lines: [] });
    else (parts.length ? parts[parts.length - 1]!.lines : intro).push(line);
  }
  const sections = parts.map((p) => ({ heading: p.heading, text: p.lines.join('\n').trim() }));
  const summary =
    intro
      .join('\n')
      .trim()
      .split(/\n\s*\n/)[0]
      ?.replace(/\s*\n\s*/g, ' ') ?? '';
  const hintText = sections.find((s) => s.heading.toLowerCase() === 'hints')?.text ?? '';
  const hints: string[] = [];
  for (const line of hintText.split('\n')) {
    if (/^[-*] /.test(line)) hints.push(line.slice(2).trim());
    else if (hints.length && /^\s+\S/.test(line)) hints[hints.length - 1] += ' ' + line.trim();
  }
  return { title, summary, sections, hints };
}

/** What a set of expectation files asks of a configuration: what a recorder plays against Postfix. */
export interface Asked {
  /** Each session, keyed `FILE#NAME`, with the client, the service and the lines it sends. */
  sessions: { key: string; service: string; client: string; name?: string; pipelined: boolean; lines: string[] }[];
  /** Each sendmail -bv once. */
  addresses: { sender: string; address: string }[];
  /** Each postmap -q once. */
  lookups: { map: string; key: string; noFold: boolean }[];
}

/** askedBy - the sessions, addresses and lookups of the files, in file order, each address and lookup once. */
export function askedBy(files: readonly ExpectFile[]): Asked {
  const asked: Asked = { sessions: [], addresses: [], lookups: [] };
  const same = (a: object, b: object): boolean => JSON.stringify(a) === JSON.stringify(b);
  for (const f of files)
    for (const e of f.items) {
      if (e.kind === 'session')
        asked.sessions.push({
          key: `${f.file}#${e.name}`,
          service: e.service ?? 'smtp',
          client: e.client?.addr ?? '127.0.0.1',
          ...(e.client?.name && { name: e.client.name }),
          pipelined: e.pipelined,
          lines: e.lines.map((l) => l.text),
        });
      else if (e.kind === 'address') {
        const a = { sender: e.sender, address: e.address };
        if (!asked.addresses.some((x) => same(x, a))) asked.addresses.push(a);
      } else {
        const l = { map: e.map, key: e.key, noFold: e.noFold };
        if (!asked.lookups.some((x) => same(x, l))) asked.lookups.push(l);
      }
    }
  return asked;
}
