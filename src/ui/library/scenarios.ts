/*
 * NAME
 *   library/scenarios - the bundled scenario library (tests/golden/scenarios), read at build time
 * DESCRIPTION
 *   Every file of every scenario directory except the recording
 *   (expected.json) is bundled as text into this module's chunk, which the
 *   page loads only when the library is opened (the header's Scenarios…,
 *   `?scenario=NAME`, or a workspace opened from a scenario). The words
 *   come from each README.md (parseScenarioReadme); an exercise is a
 *   scenario with a solution/ directory.
 * SEE ALSO
 *   tests/golden/scenarios/README.md, library/workspace.ts
 */
import { SCENARIO_README, SOLUTION_DIRECTORY, parseScenarioReadme } from '../../engine/index.ts';
import type { LibraryScenario } from './workspace.ts';

const RAW = import.meta.glob(['/tests/golden/scenarios/*/**/*', '!**/expected.json'], { query: '?raw', import: 'default', eager: true }) as Record<
  string,
  string
>;

function build(): LibraryScenario[] {
  const byName = new Map<string, { files: Record<string, string>; solution: Record<string, string> }>();
  for (const [key, text] of Object.entries(RAW)) {
    const m = /\/tests\/golden\/scenarios\/([^/]+)\/(.+)$/.exec(key);
    if (!m) continue;
    const [, name, rel] = m as unknown as [string, string, string];
    const entry = byName.get(name) ?? { files: {}, solution: {} };
    byName.set(name, entry);
    if (rel.startsWith(`${SOLUTION_DIRECTORY}/`)) entry.solution[rel.slice(SOLUTION_DIRECTORY.length + 1)] = text;
    else entry.files[rel] = text;
  }
  const out: LibraryScenario[] = [];
  for (const [name, { files, solution }] of byName) {
    const info = parseScenarioReadme(files[SCENARIO_README] ?? '');
    if (!info) continue;
    out.push({ name, info, exercise: Object.keys(solution).length > 0, files, solution });
  }
  // Scenarios first, then exercises; each by title.
  return out.sort((a, b) => Number(a.exercise) - Number(b.exercise) || a.info.title.localeCompare(b.info.title));
}

export const SCENARIOS: readonly LibraryScenario[] = build();

export const scenarioNamed = (name: string): LibraryScenario | undefined => SCENARIOS.find((s) => s.name === name);
