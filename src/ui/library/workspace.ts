/*
 * NAME
 *   library/workspace - a bundled scenario as a workspace
 * DESCRIPTION
 *   A scenario directory stands for /etc/postfix: its configuration and
 *   its expectation files become files there (README.md, expected.json and
 *   solution/ stay out). Its expectations also fill the views: each
 *   `session` statement becomes a session (the dialogue as the checker
 *   plays it, with its client, service and TLS facts), the `address`
 *   statements the addresses to resolve, the first `lookup` the lookup box.
 *   An exercise opens on its task (the Tests view); a scenario on its
 *   first session. `NAME.sql` stays SQL: the worker builds the database
 *   NAME from it when NAME is missing, as `postfix-sim test` does.
 */
import { isConfigurationFile, isExpectFile, parseExpectations, sessionDialogue, withSolution } from '../../engine/index.ts';
import type { ScenarioInfo, SessionExpectation } from '../../engine/index.ts';
import { EMPTY_SESSION, emptyWorkspace } from '../state/types.ts';
import type { SessionData, WorkspaceData } from '../state/types.ts';

export const CONFIG_DIR = '/etc/postfix';

/** A scenario of the library, as bundled. */
export interface LibraryScenario {
  /** Its directory name (tests/golden/scenarios/NAME): `?scenario=NAME`. */
  name: string;
  info: ScenarioInfo;
  exercise: boolean;
  /** Files relative to the scenario directory (configuration and expectations). */
  files: Readonly<Record<string, string>>;
  /** An exercise's reference answer, relative to solution/. */
  solution: Readonly<Record<string, string>>;
}

/** The expectation files' paths of a scenario, in the order `postfix-sim test` runs them. */
export function expectPaths(files: Readonly<Record<string, string>>): string[] {
  const top = Object.keys(files)
    .filter((f) => isExpectFile(f) && !f.includes('/'))
    .sort();
  const tests = Object.keys(files)
    .filter((f) => isExpectFile(f) && f.startsWith('tests/'))
    .sort();
  return [...top, ...tests];
}

const asSession = (s: SessionExpectation): SessionData => ({
  ...EMPTY_SESSION,
  name: s.name,
  dialogue: sessionDialogue(s),
  clientAddr: s.client?.addr ?? '',
  clientName: s.client?.name ?? '',
  service: s.service ?? 'smtp',
  tls: s.tls !== undefined,
  ccertFingerprint: s.tls?.ccert?.fingerprint ?? '',
  ccertPkeyFingerprint: s.tls?.ccert?.pkeyFingerprint ?? '',
  ccertVerified: s.tls?.ccert?.verified ?? false,
});

/** scenarioWorkspace - the workspace a scenario opens as (its start, or with the solution laid over). */
export function scenarioWorkspace(s: LibraryScenario, options: { solution?: boolean } = {}): WorkspaceData {
  const start = Object.fromEntries(Object.entries(s.files).filter(([rel]) => isConfigurationFile(rel) || isExpectFile(rel)));
  const files = options.solution ? withSolution(start, s.solution) : start;
  const expects = expectPaths(files);
  const parsed = expects.map((rel) => parseExpectations(files[rel]!, rel));
  const items = parsed.flatMap((f) => f.items);
  const sessions = items.filter((e): e is SessionExpectation => e.kind === 'session').map(asSession);
  const addresses = items.flatMap((e) => (e.kind === 'address' ? [e] : []));
  const lookup = items.find((e) => e.kind === 'lookup');
  const base = emptyWorkspace();
  const paths = Object.keys(files).sort((a, b) => (a === 'main.cf' ? -1 : b === 'main.cf' ? 1 : a.localeCompare(b)));
  const open = [...(files['main.cf'] !== undefined ? ['main.cf'] : []), ...expects].map((rel) => `${CONFIG_DIR}/${rel}`);
  return {
    ...base,
    files: paths.map((rel) => ({ path: `${CONFIG_DIR}/${rel}`, text: files[rel]! })),
    sessions: sessions.length > 0 ? sessions : base.sessions,
    session: 0,
    resolve: {
      sender: addresses[0] && addresses[0].sender !== 'root' ? addresses[0].sender : '',
      addresses: [...new Set(addresses.map((a) => a.address))].map((a) => `${a}\n`).join(''),
    },
    ...(lookup?.kind === 'lookup' && { lookup: { spec: lookup.map, key: lookup.key, noFold: lookup.noFold, consumer: '' as const } }),
    view: s.exercise ? 'tests' : sessions.length > 0 ? 'smtpd' : addresses.length > 0 ? 'resolve' : 'lookup',
    open,
    active: open[0] ?? '',
    scenario: s.name,
  };
}

/** The configuration files of the exercise's start and of its solution that differ (for "reset" and "solution"). */
export function changedBySolution(s: LibraryScenario): string[] {
  return Object.keys(s.solution)
    .filter((rel) => s.files[rel] !== s.solution[rel])
    .map((rel) => `${CONFIG_DIR}/${rel}`);
}
