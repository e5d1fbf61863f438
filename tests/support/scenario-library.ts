/*
 * The scenario library (tests/golden/scenarios/) as the harness reads it:
 * each scenario's configurations (an exercise has its start and its
 * solution), a Host over a configuration's files, and what real Postfix did
 * for each expectation, turned into the engine's Observation so that
 * judge() can hold every expectation against the real program.
 * The recording's format: scripts/golden/record-scenarios.mjs.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import type { SqlJsStatic } from 'sql.js';
import * as engine from '../../src/engine/index.ts';
import { CONFIG_DIRECTORY, DEBIAN_AGENTS, agentsFromMasterCf, isExpectFile, parseExpectations, parseMasterCf } from '../../src/engine/index.ts';
import type { Agent, Asked, ExpectFile, Expectation, Host, Observation } from '../../src/engine/index.ts';
import type { GoldenResolveGroup } from '../../scripts/golden/resolve-format.mjs';
import { STAND_IN_COMMANDS } from '../../scripts/golden/resolve-format.mjs';
import { configurationSources, digest as digestSources, filesOf } from '../../scripts/golden/scenarios-format.mjs';

export const LIBRARY = join(import.meta.dirname, '..', 'golden', 'scenarios');

/** One configuration's recording. */
export interface RecordedConfiguration {
  files: Record<string, string>;
  asked: Asked;
  /** record-smtpd's output, for a configuration whose smtp service is smtpd. */
  smtpd: { sessions: Record<string, { replies: string[][]; log: string[]; noServer?: boolean }> } | null;
  /** record-postscreen's output, when master.cf runs postscreen on smtp: one dialogue of one connection per session. */
  postscreen?: { dialogues: Record<string, { connections: { replies: string[][]; log: string[]; dnsblog: string[]; noServer?: boolean }[] }> };
  resolve: Omit<GoldenResolveGroup, 'postfix'> | null;
  lookups: { queries: { map: string; key: string; noFold: boolean; stdout: string; stderr: string; status: number }[] } | null;
}

export interface Recording {
  postfix: string;
  expectations: string[];
  configurations: Record<string, RecordedConfiguration>;
}

export const scenarioNames = (): string[] =>
  existsSync(LIBRARY)
    ? readdirSync(LIBRARY)
        .filter((d) => statSync(join(LIBRARY, d)).isDirectory())
        .sort()
    : [];

/** The configurations of a scenario, as the recorder finds them: label -> relative path -> file on disk. */
export const configurationsOf = (dir: string): Record<string, Record<string, string>> => configurationSources(dir, engine);

/** The contents of a configuration's files (bytes as latin1 text). */
export const contentsOf = (sources: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(sources).map(([rel, path]) => [rel, readFileSync(path, 'latin1')]));

/** sha256 of each file, as the recorder stores them. */
export const digest = (sources: Record<string, string>): Record<string, string> => digestSources(sources);

/** The expectation files of a scenario, parsed. */
export function expectationsOf(dir: string): ExpectFile[] {
  return filesOf(dir)
    .filter(isExpectFile)
    .map((f) => parseExpectations(readFileSync(join(dir, f), 'utf8'), f));
}

let sqlJs: Promise<SqlJsStatic> | undefined;
const loadSqlJs = (): Promise<SqlJsStatic> => (sqlJs ??= initSqlJs());

/** A Host over a configuration's files (as /etc/postfix); NAME.sql is the database NAME, as sqlite3 built it. */
export async function configurationHost(files: Record<string, string>): Promise<Host> {
  const bytes = new Map<string, Uint8Array>();
  for (const [rel, text] of Object.entries(files)) bytes.set(`${CONFIG_DIRECTORY}/${rel}`, Buffer.from(text, 'latin1'));
  for (const rel of Object.keys(files).filter((f) => f.endsWith('.sql'))) {
    const db = new (await loadSqlJs()).Database();
    try {
      db.exec(Buffer.from(files[rel]!, 'latin1').toString('utf8'));
      bytes.set(`${CONFIG_DIRECTORY}/${rel.slice(0, -'.sql'.length)}`, db.export());
    } finally {
      db.close();
    }
  }
  return { readFile: (path) => bytes.get(path)?.slice(), environment: { LANG: 'C', MAIL_LOGTAG: 'postfix' }, loadSqlJs };
}

/** The delivery agents of a configuration (its master.cf, else Debian's). */
function agentsOf(files: Record<string, string>): Record<string, Agent> {
  return files['master.cf'] !== undefined ? agentsFromMasterCf(parseMasterCf(files['master.cf'])) : { ...DEBIAN_AGENTS };
}

/**
 * recordedObservation - what real Postfix did for expectation `e` (of file
 * `file`), as an Observation. Delivery reports of transports the recorder
 * replaced by a stand-in (smtp, lmtp) are not observations of Postfix: they
 * are left out (undefined), so no expectation can rest on them.
 */
export function recordedObservation(rec: RecordedConfiguration, files: Record<string, string>, file: string, e: Expectation): Observation | undefined {
  if (e.kind === 'session') {
    const s = rec.smtpd?.sessions[`${file}#${e.name}`] ?? rec.postscreen?.dialogues[`${file}#${e.name}`]?.connections[0];
    if (!s) return undefined;
    return { kind: 'session', replies: s.replies, ...(s.noServer && { error: 'smtpd died' }) };
  }
  if (e.kind === 'address') {
    const c = rec.resolve?.cases.find((x) => x.sender === e.sender && x.address === e.address);
    if (!c) return undefined;
    if (!c.queued || c.from === null) return { kind: 'address', final: [], error: `not accepted: ${c.sendmail.stderr || 'cleanup refused it'}` };
    const agents = agentsOf(files);
    return {
      kind: 'address',
      final: c.recipients.map((r) => {
        const standIn = STAND_IN_COMMANDS.includes(agents[r.resolve.transport]?.command ?? '');
        return {
          to: r.to,
          ...(r.orig_to !== undefined && { orig_to: r.orig_to }),
          class: r.resolve.class,
          transport: r.resolve.transport,
          nexthop: r.resolve.nexthop,
          ...(!standIn && { relay: r.relay, dsn: r.dsn, status: r.status, text: r.text }),
        };
      }),
    };
  }
  const q = rec.lookups?.queries.find((x) => x.map === e.map && x.key === e.key && x.noFold === e.noFold);
  if (!q) return undefined;
  if (q.status === 0) return { kind: 'lookup', status: 'found', value: q.stdout.replace(/\n$/, '') };
  const fatal = /(?:^|\n)postmap: fatal: (.*)/.exec(q.stderr);
  return fatal ? { kind: 'lookup', status: 'error', error: fatal[1]! } : { kind: 'lookup', status: 'notfound' };
}
