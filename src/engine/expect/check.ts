/*
 * NAME
 *   expect/check - run expectation files against the simulator
 * SYNOPSIS
 *   const open = scenarioOpener({ host });
 *   const results = await checkExpectations(parseExpectations(text, file), open);
 * DESCRIPTION
 *   Each session is played against the service it names (one scenario per
 *   service, opened once; through postscreen(8) when master.cf runs it
 *   there), each address goes through sendmail -bv's path
 *   (cleanup, trivial-rewrite, the delivery agents), each lookup through
 *   postmap -q; what happened becomes an Observation and judge() compares.
 *   The facts are the directory's: /etc/postfix/dns and /etc/postfix/facts
 *   when they exist. An error line of the file is a failing result of kind `syntax`, so a
 *   broken file never passes. Never throws for bad input.
 * SEE ALSO
 *   expect/format.ts, expect/judge.ts, scenario/scenario.ts
 */
import type { Scenario, ScenarioOptions } from '../scenario/scenario.ts';
import { CONFIG_DIRECTORY, openScenario } from '../scenario/scenario.ts';
import type { AddressExpectation, ExpectFile, Expectation, LookupExpectation, SessionExpectation } from './types.ts';
import type { AddressObservation, CheckResult, LookupObservation, Observation, SessionObservation } from './judge.ts';
import { judge } from './judge.ts';

/** Opens (once) the scenario of a master.cf service. */
export type ScenarioOpener = (service: string) => Promise<Scenario>;

/** Where a configuration directory keeps its policy and verify facts (as `dns` its DNS facts). */
export const FACTS_FILE = `${CONFIG_DIRECTORY}/facts`;

/**
 * scenarioOpener - one scenario per service over the same files and facts, each opened once.
 * The facts default to /etc/postfix/facts when it exists (DNS: /etc/postfix/dns, as openScenario).
 */
export function scenarioOpener(options: Omit<ScenarioOptions, 'service'>): ScenarioOpener {
  const opened = new Map<string, Promise<Scenario>>();
  const factsPath = options.factsPath ?? (options.host.readFile(FACTS_FILE) ? FACTS_FILE : undefined);
  return (service) => {
    let s = opened.get(service);
    if (!s) opened.set(service, (s = openScenario({ ...options, ...(factsPath !== undefined && { factsPath }), service })));
    return s;
  };
}

const fatalText = (s: Scenario): string | undefined => s.fatal && `${s.fatal.program ? `${s.fatal.program}: ` : ''}fatal: ${s.fatal.message}`;

/** sessionDialogue - the client's lines as the smtpd dialogue format has them. */
export function sessionDialogue(s: SessionExpectation): string {
  return (s.pipelined ? '# pipelined\n' : '') + s.lines.map((l) => l.text + '\n').join('');
}

/**
 * observePostscreen - a session against a service that runs postscreen(8):
 * one connection, postscreen first (with a cache of its own), then the
 * smtpd it hands the client to.
 */
async function observePostscreen(s: SessionExpectation, scenario: Scenario): Promise<SessionObservation> {
  const who = s.client ? ` client=${s.client.addr}${s.client.name ? `,${s.client.name}` : ''}` : '';
  const played = await scenario.playConnections(`# connection${who}\n${sessionDialogue(s)}`, { trace: false, ...(s.tls && { tls: s.tls }) });
  const c = played?.connections[0];
  if (!played || !c) return { kind: 'session', replies: [], error: played?.diagnostics[0]?.message ?? 'no session' };
  const fatal = played.postscreen?.fatal ?? c.fatal;
  const error = fatal ? `fatal: ${fatal}` : c.crashed ? `smtpd died: ${c.crashed}` : undefined;
  return { kind: 'session', replies: c.exchanges.map((e) => e.server), ...(error && { error }) };
}

async function observeSession(s: SessionExpectation, open: ScenarioOpener): Promise<SessionObservation> {
  const scenario = await open(s.service ?? 'smtp');
  const fatal = fatalText(scenario);
  if (fatal) return { kind: 'session', replies: [], error: fatal };
  if (scenario.postscreen) return observePostscreen(s, scenario);
  const client = { ...s.client, ...(s.tls && { tls: s.tls }) };
  const played = await scenario.play(sessionDialogue(s), client, { trace: false });
  if (!played) return { kind: 'session', replies: [], error: 'no session' };
  if ('error' in played) return { kind: 'session', replies: [], error: played.error.message };
  const r = played.session;
  const error = r.fatal ? `smtpd: fatal: ${r.fatal}` : r.crashed ? `smtpd died: ${r.crashed}` : undefined;
  return { kind: 'session', replies: r.exchanges.map((e) => e.server), ...(error && { error }) };
}

async function observeAddress(a: AddressExpectation, open: ScenarioOpener): Promise<AddressObservation> {
  const scenario = await open('smtp');
  const fatal = fatalText(scenario);
  if (fatal) return { kind: 'address', final: [], error: fatal };
  const resolved = await scenario.resolve(a.sender, [a.address]);
  const d = resolved?.addresses[0]?.result;
  if (!d) return { kind: 'address', final: [], error: 'not resolved' };
  if (d.defer) return { kind: 'address', final: [], error: `cleanup: ${d.defer.message} -- message not accepted, try again later` };
  return {
    kind: 'address',
    final: d.final.map((f) => ({
      to: f.to,
      ...(f.origTo !== undefined && { orig_to: f.origTo }),
      class: f.class,
      transport: f.transport,
      nexthop: f.nexthop,
      relay: f.relay,
      dsn: f.dsn,
      status: f.status,
      text: f.text,
    })),
  };
}

async function observeLookup(l: LookupExpectation, open: ScenarioOpener): Promise<LookupObservation> {
  const scenario = await open('smtp');
  const { result } = await scenario.lookup(l.map, l.key, { noFold: l.noFold });
  if (result.status === 'found') return { kind: 'lookup', status: 'found', value: result.value };
  if (result.status === 'notfound') return { kind: 'lookup', status: 'notfound' };
  return { kind: 'lookup', status: 'error', error: result.error.message };
}

/** observe - what the simulator does for one expectation, as plain data. */
export function observe(e: Expectation, open: ScenarioOpener): Promise<Observation> {
  if (e.kind === 'session') return observeSession(e, open);
  if (e.kind === 'address') return observeAddress(e, open);
  return observeLookup(e, open);
}

/** syntaxResults - the file's error lines as failing results. */
export function syntaxResults(file: ExpectFile): CheckResult[] {
  return file.diagnostics
    .filter((d) => d.severity === 'error' || d.severity === 'fatal')
    .map((d) => ({ file: file.file, line: d.line ?? 0, kind: 'syntax', name: 'syntax', pass: false, expected: 'a valid line', got: d.message }));
}

/** checkExpectations - every expectation of a file against the simulator, in file order. */
export async function checkExpectations(file: ExpectFile, open: ScenarioOpener): Promise<CheckResult[]> {
  const results = syntaxResults(file);
  for (const e of file.items) results.push(...judge(file.file, e, await observe(e, open)));
  return results.sort((a, b) => a.line - b.line);
}
