/*
 * The simulator's postscreen (and the smtpd it hands clients to) against
 * dialogues recorded from real Postfix.
 *
 * Every group under tests/golden/postscreen/ is a configuration directory
 * whose master.cf runs postscreen; its dialogues/ hold one or more
 * connections each, and expected.json what the client got and what
 * postscreen, dnsblog and smtpd logged (scripts/golden/record-postscreen.mjs).
 * Each dialogue runs through the simulator with a fresh postscreen cache;
 * every reply line and every log line must be identical (timings in
 * PREGREET and HANGUP lines are normalised on both sides, as the recorder
 * does). See tests/golden/postscreen/README.md.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNodeHost } from '../../src/cli/node-host.ts';
import { DEBIAN_PASSWD, openScenario, parseConnections } from '../../src/engine/index.ts';
import type { Scenario } from '../../src/engine/index.ts';
import { parseBuildFile } from '../../scripts/golden/smtpd-format.mjs';
import { normalisePostscreenText } from '../../scripts/golden/postscreen-format.mjs';

const GOLDEN = join(import.meta.dirname, '..', 'golden', 'postscreen');

interface RecordedConnection {
  client: string;
  server: string;
  port: number;
  commands: string[][];
  replies: string[][];
  noServer?: boolean;
  unsent?: number;
  log: string[];
  dnsblog: string[];
}
interface Expected {
  postscreenStartup: string[];
  dialogues: Record<string, { connections: RecordedConnection[] }>;
  other: string[];
}

const groups = existsSync(GOLDEN)
  ? readdirSync(GOLDEN)
      .filter((g) => existsSync(join(GOLDEN, g, 'expected.json')))
      .sort()
  : [];

async function prepare(dir: string): Promise<Scenario> {
  const buildPath = join(dir, 'build');
  const built = new Set(
    (existsSync(buildPath) ? parseBuildFile(readFileSync(buildPath, 'utf8')) : []).flatMap((step) =>
      step.argv.filter((a) => a.includes(':/')).map((a) => a.slice(a.indexOf(':') + 1)),
    ),
  );
  const host = { ...createNodeHost({ configDirectory: dir }), isBuilt: (path: string) => built.has(path) };
  // The recorder's namespace has only these accounts.
  return openScenario({ host, users: DEBIAN_PASSWD.map((l) => l.split(':')[0]!) });
}

const shown = (l: { program: string; text: string }): string => `${l.program}: ${l.program.endsWith('/postscreen') ? normalisePostscreenText(l.text) : l.text}`;

describe.each(groups)('postscreen golden group %s', (group) => {
  const dir = join(GOLDEN, group);
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
  const scenarioP = prepare(dir);

  it('start-up (what postscreen logs before its first connection)', async () => {
    const scenario = await scenarioP;
    expect(scenario.postscreen).toBe(true);
    const cfg = (await scenario.playConnections(''))!.postscreen!;
    expect(cfg).toBeDefined();
    const startup = [...cfg.startup, ...(cfg.fatal ? [`fatal: ${cfg.fatal}`] : [])].map((t) => `${cfg.program}: ${t}`);
    expect(startup).toEqual(expected.postscreenStartup);
  });

  for (const [name, recorded] of Object.entries(expected.dialogues)) {
    it(name, async () => {
      const scenario = await scenarioP;
      const text = readFileSync(join(dir, 'dialogues', `${name}.smtp`), 'utf8');
      const dialogue = parseConnections(text);
      const played = (await scenario.playConnections(text, { ports: recorded.connections.map((c) => String(c.port)) }))!;
      expect(played.diagnostics).toEqual([]);
      const cfg = played.postscreen!;
      const { connections } = played;
      expect(connections.length).toBe(recorded.connections.length);
      const startupCount = cfg.startup.length;
      connections.forEach((sim, i) => {
        const rec = recorded.connections[i]!;
        const where = `${name} connection ${i + 1}`;
        const simReplies = sim.exchanges.map((e) => e.server);
        if (dialogue.connections[i]!.pipelined) expect(simReplies.flat(), where).toEqual(rec.replies.flat());
        else expect(simReplies, where).toEqual(rec.replies);
        let log = sim.log.map(shown);
        // What postscreen logged when it started is compared above; master's words about a dead postscreen are "other".
        if (i === 0) log = log.slice(startupCount);
        if (cfg.fatal) {
          expect(log.filter((l) => l.startsWith('postfix/master: ')).sort(), where).toEqual(expected.other);
          log = log.filter((l) => !l.startsWith('postfix/master: ') && !l.includes(': fatal: '));
        }
        expect(
          log.filter((l) => !l.includes('/dnsblog: ')),
          where,
        ).toEqual(rec.log);
        expect(log.filter((l) => l.includes('/dnsblog: ')).sort(), where).toEqual(rec.dnsblog);
      });
    });
  }
});
