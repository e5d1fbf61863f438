/*
 * The simulator's smtpd against sessions recorded from real Postfix.
 *
 * Every group under tests/golden/smtpd/ is a configuration directory
 * (main.cf, optional master.cf, tables, a `dns` facts file); its sessions/
 * hold client dialogues, and expected.json what a real smtpd replied and
 * logged (scripts/golden/record-smtpd.mjs). Each session runs through the
 * simulator; every reply line and every smtpd log line must be identical.
 * See tests/golden/smtpd/README.md.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNodeHost } from '../../src/cli/node-host.ts';
import { DEBIAN_PASSWD, openScenario } from '../../src/engine/index.ts';
import type { FinalRecipient, Scenario } from '../../src/engine/index.ts';
import { parseBuildFile } from '../../scripts/golden/smtpd-format.mjs';

const GOLDEN = join(import.meta.dirname, '..', 'golden', 'smtpd');

interface RecordedMail {
  id: string;
  queue: { name: string; recipients: { address: string }[] } | null;
  deliveries: { service: string; nexthop: string; recipients: { recipient: string }[] }[];
}
interface RecordedSession {
  mail?: RecordedMail[];
  commands: string[][];
  replies: string[][];
  log: string[];
  noServer?: boolean;
  unsent?: number;
}
interface Expected {
  postfix: string;
  sessions: Record<string, RecordedSession>;
}

const groups = existsSync(GOLDEN)
  ? readdirSync(GOLDEN)
      .filter((g) => existsSync(join(GOLDEN, g, 'expected.json')))
      .sort()
  : [];

async function loadGroup(dir: string): Promise<Scenario> {
  // Indexed tables exist only where the group's `build` file had postmap build them.
  const buildPath = join(dir, 'build');
  const built = new Set(
    (existsSync(buildPath) ? parseBuildFile(readFileSync(buildPath, 'utf8')) : []).flatMap((step) =>
      step.argv.filter((a) => a.includes(':/')).map((a) => a.slice(a.indexOf(':') + 1)),
    ),
  );
  const host = { ...createNodeHost({ configDirectory: dir }), isBuilt: (path: string) => built.has(path) };
  // The recorder's namespace has only these accounts; policy and verify answers come from `facts`.
  const users = DEBIAN_PASSWD.map((l) => l.split(':')[0]!);
  return openScenario({ host, users, ...(existsSync(join(dir, 'facts')) && { factsPath: '/etc/postfix/facts' }) });
}

/** Agents whose deliveries the recorder captures (everything else stays real and is not recorded). */
const CAPTURED = new Set(['smtp', 'lmtp', 'virtual', 'pipe']);

/**
 * What local(8) logs for a final recipient the simulator reports (status from the dsn class;
 * verify mode's "delivers to" is "delivered to" in a delivery).
 */
const localLine = (id: string, f: FinalRecipient): string => {
  const status = f.dsn.startsWith('2') ? 'sent' : f.dsn.startsWith('4') ? 'deferred' : 'bounced';
  const text = f.text.replace(/^delivers to /, 'delivered to ');
  return `${id}: to=<${f.to}>, ${f.origTo !== undefined ? `orig_to=<${f.origTo}>, ` : ''}relay=${f.relay}, dsn=${f.dsn}, status=${status} (${text})`;
};

/** The smtpd lines of a recorded log, without the program prefix. */
const smtpdLines = (log: readonly string[]): string[] => log.filter((l) => l.startsWith('postfix/smtpd: ')).map((l) => l.slice('postfix/smtpd: '.length));

describe.each(groups)('smtpd golden group %s', (group) => {
  const dir = join(GOLDEN, group);
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
  const configP = loadGroup(dir);
  const names = Object.keys(expected.sessions);
  for (const [name, session] of Object.entries(expected.sessions)) {
    it(name, async () => {
      const scenario = await configP;
      const dialogue = readFileSync(join(dir, 'sessions', `${name}.smtp`), 'utf8');
      // One smtpd process serves the group's sessions in order: start-up errors show in the first.
      // The recorder connects from port 20000 + the session's index.
      const port = String(20000 + names.indexOf(name));
      const played = (await scenario.play(dialogue, { port }, { startupLog: name === names[0] }))!;
      if ('error' in played) throw new Error(played.error.message);
      const result = played.session;
      const replies = result.exchanges.map((e) => e.server);
      // A reply the recorder never received (the server closed first) is not compared.
      expect(replies.slice(0, session.replies.length)).toEqual(session.replies);
      expect(smtpdLines(result.log.map((l) => `${l.program}: ${l.text}`))).toEqual(smtpdLines(session.log));
      // What became of the mail smtpd accepted: hold queue, or deliveries per transport and nexthop.
      const ours = new Set(smtpdLines(session.log).flatMap((l) => /^(Q\d+): client=/.exec(l)?.[1] ?? []));
      const simulated = played.outcomes;
      const simIds = new Set(simulated.map((m) => m.queueId));
      // A queue file opened at RCPT but never finished (no DATA) leaves an empty record.
      const recordedMail = (session.mail ?? []).filter((m) => ours.has(m.id) && (simIds.has(m.id) || m.queue || m.deliveries.length));
      expect(simulated.map((m) => ({ id: m.queueId, hold: m.queue === 'hold' ? [...m.recipients].sort() : null }))).toEqual(
        recordedMail.map((m) => ({ id: m.id, hold: m.queue?.name === 'hold' ? m.queue.recipients.map((r) => r.address).sort() : null })),
      );
      const byKey = (d: { transport: string; nexthop: string; recipients: string[] }[]) =>
        d.map((x) => `${x.transport} ${x.nexthop} ${x.recipients.join(',')}`).sort();
      for (const [i, m] of recordedMail.entries()) {
        const sim = simulated[i]!;
        if (process.env.DEBUG_SMTPD)
          console.log(JSON.stringify(sim.deliveries), JSON.stringify(sim.finals.map((f) => [f.agent, f.transport, f.status, f.text])));
        expect(byKey(sim.deliveries.filter((d) => CAPTURED.has(d.agent)))).toEqual(
          byKey(m.deliveries.map((d) => ({ transport: d.service, nexthop: d.nexthop, recipients: d.recipients.map((r) => r.recipient).sort() }))),
        );
      }
      // local(8)'s delivery records of the mail smtpd accepted: sent, bounced (unknown user, loops) or deferred.
      const localOf = (id: string): string[] =>
        session.log
          .filter((l) => l.startsWith(`postfix/local: ${id}: to=`))
          .map((l) => l.slice('postfix/local: '.length))
          .sort();
      for (const sim of simulated.filter((m) => m.queue === 'active' && ours.has(m.queueId)))
        expect(
          sim.finals
            .filter((f) => f.agent === 'postfix/local')
            .map((f) => localLine(sim.queueId, f))
            .sort(),
        ).toEqual(localOf(sim.queueId));
    });
  }
});
