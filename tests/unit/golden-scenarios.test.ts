/*
 * The scenario library against real Postfix and against the simulator.
 *
 * Every directory under tests/golden/scenarios/ is a configuration with
 * words (README.md) and expectation files; expected.json holds what real
 * Postfix did for every session, address and lookup they name
 * (scripts/golden/record-scenarios.mjs). For each configuration (an
 * exercise has two: its start and its solution):
 *   - the recording is of these very files and expectations (else: re-record);
 *   - (a) every expectation holds against what real Postfix did, so no
 *     expectation claims what Postfix does not do; an exercise's start
 *     misses at least one goal there;
 *   - (b) the simulator passes every expectation (the start: misses one),
 *     and agrees with the recording: the same replies and smtpd (postscreen,
 *     dnsblog) log lines,
 *     the same final recipients with the same class, transport, nexthop and
 *     reports, the same lookup answers.
 * See tests/golden/scenarios/README.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCENARIO_README, askedBy, checkExpectations, judge, observe, parseScenarioReadme, scenarioOpener, sessionDialogue } from '../../src/engine/index.ts';
import type { CheckResult, Observation, ScenarioOpener } from '../../src/engine/index.ts';
import {
  LIBRARY,
  configurationHost,
  configurationsOf,
  contentsOf,
  digest,
  expectationsOf,
  recordedObservation,
  scenarioNames,
} from '../support/scenario-library.ts';
import type { Recording } from '../support/scenario-library.ts';
import { normalisePostscreenText } from '../../scripts/golden/postscreen-format.mjs';

const names = scenarioNames();

describe('scenario library', () => {
  it('has at least 12 scenarios and 4 exercises, each with its words', () => {
    const exercises = names.filter((n) => existsSync(join(LIBRARY, n, 'solution')));
    expect(names.length - exercises.length).toBeGreaterThanOrEqual(12);
    expect(exercises.length).toBeGreaterThanOrEqual(4);
    for (const n of names) {
      const info = parseScenarioReadme(readFileSync(join(LIBRARY, n, SCENARIO_README), 'utf8'));
      expect(info?.title, n).toBeTruthy();
      expect(info?.summary, n).toBeTruthy();
      expect(info?.sections.map((s) => s.heading) ?? [], n).toContain('What to look at');
      if (exercises.includes(n)) {
        expect(info?.sections.map((s) => s.heading) ?? [], n).toContain('Task');
        expect(info?.hints.length, `${n}: hints`).toBeGreaterThan(0);
      }
    }
  });
});

/** The fields of an observation the recording has (a stand-in's reports are absent there). */
function comparable(sim: Observation, real: Observation): [unknown, unknown] {
  if (sim.kind === 'session' && real.kind === 'session') return [sim.replies.slice(0, real.replies.length), real.replies];
  if (sim.kind === 'address' && real.kind === 'address') {
    const order = (a: { to: string }, b: { to: string }): number => (a.to < b.to ? -1 : a.to > b.to ? 1 : 0);
    const simFinal = [...sim.final].sort(order);
    const realFinal = [...real.final].sort(order);
    const shaped = simFinal.map((f, i) => {
      const r = realFinal[i] as Record<string, unknown> | undefined;
      return Object.fromEntries(Object.entries(f).filter(([k]) => r && k in r));
    });
    return [
      { error: sim.error !== undefined, final: shaped },
      { error: real.error !== undefined, final: realFinal },
    ];
  }
  return [sim, real];
}

for (const name of names) {
  const dir = join(LIBRARY, name);
  const path = join(dir, 'expected.json');
  describe(`scenario ${name}`, () => {
    it('has a recording', () => {
      expect(existsSync(path), `${name}: run npm run golden:record:scenarios -- ${name}`).toBe(true);
    });
    if (!existsSync(path)) return;
    const recording = JSON.parse(readFileSync(path, 'utf8')) as Recording;
    const expectations = expectationsOf(dir);
    const configurations = configurationsOf(dir);
    const exercise = 'solution' in configurations;

    it('has expectation files without bad lines', () => {
      expect(expectations.length).toBeGreaterThan(0);
      expect(expectations.flatMap((f) => f.diagnostics.map((d) => `${f.file}:${d.line}: ${d.message}`))).toEqual([]);
      expect(recording.expectations).toEqual(expectations.map((f) => f.file));
    });

    for (const [label, sources] of Object.entries(configurations)) {
      const files = contentsOf(sources);
      const rec = recording.configurations[label]!;
      const mustPass = label !== 'start';
      let opener: ScenarioOpener | undefined;
      const open = async (): Promise<ScenarioOpener> => (opener ??= scenarioOpener({ host: await configurationHost(files) }));

      describe(label, () => {
        it('was recorded from these files and expectations', () => {
          expect(rec, `re-record: npm run golden:record:scenarios -- ${name}`).toBeDefined();
          expect(rec.files).toEqual(digest(sources));
          expect(rec.asked).toEqual(askedBy(expectations));
        });

        it(mustPass ? 'meets every expectation on real Postfix' : 'misses a goal on real Postfix', () => {
          const results: CheckResult[] = [];
          for (const f of expectations)
            for (const e of f.items) {
              const o = recordedObservation(rec, files, f.file, e);
              expect(o, `${f.file}:${e.line}: not recorded`).toBeDefined();
              results.push(...judge(f.file, e, o!));
            }
          const failed = results.filter((r) => !r.pass).map((r) => `${r.file}:${r.line} ${r.name}: expected ${r.expected}, Postfix: ${r.got}`);
          if (mustPass) expect(failed).toEqual([]);
          else expect(failed.length, 'the starting configuration already meets every goal').toBeGreaterThan(0);
        });

        it(mustPass ? 'meets every expectation in the simulator' : 'misses a goal in the simulator', async () => {
          const results = (await Promise.all(expectations.map(async (f) => checkExpectations(f, await open())))).flat();
          const failed = results.filter((r) => !r.pass).map((r) => `${r.file}:${r.line} ${r.name}: expected ${r.expected}, got ${r.got}`);
          if (mustPass) expect(failed).toEqual([]);
          else expect(failed.length).toBeGreaterThan(0);
        });

        // The recorder played the sessions in this order from port 20000 + index; one smtpd logs its start-up once.
        const sessions = expectations.flatMap((f) => f.items.flatMap((e) => (e.kind === 'session' ? [{ file: f.file, e }] : [])));
        if (sessions.length && rec.smtpd)
          it('logs what real smtpd logged', async () => {
            const smtpdLines = (log: readonly string[]): string[] => log.filter((l) => /^postfix\/(\S+\/)?smtpd: /.test(l));
            for (const [index, { file, e }] of sessions.entries()) {
              const scenario = await (await open())(e.service ?? 'smtp');
              const client = { ...e.client, port: String(20000 + index) };
              const played = await scenario.play(sessionDialogue(e), client, { trace: false, startupLog: index === 0 });
              if (!played || !('session' in played)) throw new Error(`${file}:${e.line}: not played`);
              const log = played.session.log.map((l) => `${l.program}: ${l.text}`);
              expect(smtpdLines(log), `${file}:${e.line}`).toEqual(smtpdLines(rec.smtpd!.sessions[`${file}#${e.name}`]!.log));
            }
          });
        // Through postscreen every session is a dialogue of its own (a fresh cache), recorded from port 20000 + index.
        if (sessions.length && rec.postscreen)
          it('logs what real postscreen, dnsblog and smtpd logged', async () => {
            const port = (l: string): string => l.replace(/\]:\d+/g, ']:PORT');
            for (const { file, e } of sessions) {
              const scenario = await (await open())(e.service ?? 'smtp');
              const played = await scenario.playConnections(`# connection client=${e.client?.addr ?? '127.0.0.1'}\n${sessionDialogue(e)}`, { trace: false });
              const c = played?.connections[0];
              if (!played || !c) throw new Error(`${file}:${e.line}: not played`);
              const startup = played.postscreen?.startup.length ?? 0;
              const log = c.log
                .slice(startup)
                .map((l) => port(`${l.program}: ${l.program.endsWith('/postscreen') ? normalisePostscreenText(l.text) : l.text}`));
              const recorded = rec.postscreen!.dialogues[`${file}#${e.name}`]!.connections[0]!;
              expect(
                log.filter((l) => !l.includes('/dnsblog: ')),
                `${file}:${e.line}`,
              ).toEqual(recorded.log.map(port));
              expect(log.filter((l) => l.includes('/dnsblog: ')).sort(), `${file}:${e.line}`).toEqual(recorded.dnsblog.map(port));
            }
          });

        it('agrees with real Postfix', async () => {
          for (const f of expectations)
            for (const e of f.items) {
              const real = recordedObservation(rec, files, f.file, e)!;
              const [sim, want] = comparable(await observe(e, await open()), real);
              expect(sim, `${f.file}:${e.line}`).toEqual(want);
            }
        });
      });
    }
    if (exercise)
      it('is an exercise: its solution is a different configuration', () =>
        expect(contentsOf(configurations.solution!)).not.toEqual(contentsOf(configurations.start!)));
  });
}
