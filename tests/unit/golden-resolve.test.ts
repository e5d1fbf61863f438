/*
 * The simulator's address resolution against answers recorded from real Postfix.
 *
 * Every group under tests/golden/resolve/ is a Postfix configuration
 * directory standing for /etc/postfix; its `cases` file lists
 * SENDER<TAB>ADDRESS pairs and expected.json holds, per case, what real
 * trivial-rewrite answered to `rewrite` (local rule) and `resolve`, and
 * what `sendmail -bv` made of the address: the envelope sender qmgr saw
 * and one delivery-agent record per final recipient, each with
 * trivial-rewrite's answer for it (scripts/golden/record-resolve.mjs).
 * Here the same requests go through createResolver() with a Host rooted
 * at the group directory, and every recorded field is compared.
 * See tests/golden/resolve/README.md.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import type { SqlJsStatic } from 'sql.js';
import { describe, expect, it } from 'vitest';
import { createNodeHost } from '../../src/cli/node-host.ts';
import { runResolve } from '../../src/cli/resolve.ts';
import { DEBIAN_AGENTS, agentsFromMasterCf, commandLineAddress, openScenario, parseMasterCf } from '../../src/engine/index.ts';
import type { Agent, AddressEvent, Diagnostic, Host, Resolver } from '../../src/engine/index.ts';
import { CONFIG_DIRECTORY, STAND_IN_ARGV, STAND_IN_COMMANDS } from '../../scripts/golden/resolve-format.mjs';
import type { GoldenResolveGroup } from '../../scripts/golden/resolve-format.mjs';

const GOLDEN = join(import.meta.dirname, '..', 'golden', 'resolve');

// The recorded shape, declared once beside the recorder's format module.
type Expected = GoldenResolveGroup;

/** Files of a group that are not part of the configuration directory. */
const NOT_CONFIG = new Set(['cases', 'build', 'expected.json', 'README.md']);
/** Where the harness reads a group's Milter facts (the recorder answers them with scripts/golden/milter-responder.mjs). */
const FACTS = `${CONFIG_DIRECTORY}/facts`;

let sqlJs: Promise<SqlJsStatic> | undefined;
const loadSqlJs = (): Promise<SqlJsStatic> => (sqlJs ??= initSqlJs());

/** The group directory as /etc/postfix; `NAME.sql` is served as the SQLite database NAME, as sqlite3 built it. */
async function groupHost(dir: string): Promise<Host> {
  const base = createNodeHost({ configDirectory: dir, environment: { LANG: 'C' } });
  const prefix = CONFIG_DIRECTORY + '/';
  const databases = new Map<string, Uint8Array>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql'))) {
    const db = new (await loadSqlJs()).Database();
    try {
      db.exec(readFileSync(join(dir, file), 'utf8'));
      databases.set(prefix + file.slice(0, -'.sql'.length), db.export());
    } finally {
      db.close();
    }
  }
  return {
    ...base,
    loadSqlJs,
    readFile: (path) => {
      if (path.startsWith(prefix) && NOT_CONFIG.has(path.slice(prefix.length))) return undefined;
      return databases.get(path)?.slice() ?? base.readFile(path);
    },
  };
}

/** The agents the recording ran: the group's master.cf or Debian's, smtp/lmtp replaced by pipe stand-ins. */
function groupAgents(dir: string): Record<string, Agent> {
  const file = join(dir, 'master.cf');
  const agents: Record<string, Agent> = existsSync(file) ? agentsFromMasterCf(parseMasterCf(readFileSync(file, 'utf8'))) : { ...DEBIAN_AGENTS };
  for (const [name, a] of Object.entries(agents)) if (STAND_IN_COMMANDS.includes(a.command)) agents[name] = { command: 'pipe', argv: [STAND_IN_ARGV] };
  return agents;
}

/** A recorded warning line `postfix/PROGRAM: warning: text` as severity and text. */
const warningText = (line: string): string => line.replace(/^\S+: /, '');
/** The class, or null when no RESOLVE_CLASS_* bit is set (a failed request), as the recorder writes it. */
const classOrNull = (r: { flags: number; class: string }): string | null => (r.flags & 0x1f00 ? r.class : null);
/** A diagnostic as Postfix logs it: info without a label. */
const logText = (d: Diagnostic): string => (d.severity === 'info' ? d.message : `${d.severity}: ${d.message}`);
const warningsOf = (trace: readonly AddressEvent[]): Diagnostic[] => trace.flatMap((e) => (e.kind === 'diagnostic' ? [e.diagnostic] : []));

const groups = existsSync(GOLDEN)
  ? readdirSync(GOLDEN)
      .filter((g) => statSync(join(GOLDEN, g)).isDirectory() && existsSync(join(GOLDEN, g, 'expected.json')))
      .sort()
  : [];

describe('golden resolve', () => {
  it('has groups', () => {
    expect(groups.length).toBeGreaterThan(0);
  });
});

for (const group of groups) {
  const dir = join(GOLDEN, group);
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
  let resolver: Promise<Resolver> | undefined;
  const getResolver = (): Promise<Resolver> =>
    (resolver ??= (async () => {
      // The group's `passwd` is the simulator's /etc/postfix/passwd (extra accounts for unix:passwd.byname).
      const scenario = await openScenario({
        host: await groupHost(dir),
        agents: groupAgents(dir),
        ...(existsSync(join(dir, 'facts')) && { factsPath: FACTS }),
      });
      expect(scenario.diagnostics.filter((d) => d.program === 'postfix-sim')).toEqual([]);
      return scenario.resolver();
    })());

  const resolveFields = (r: { transport: string; nexthop: string; recipient: string; flags: number }) => ({
    transport: r.transport,
    nexthop: r.nexthop,
    recipient: r.recipient,
    flags: r.flags,
  });

  describe(group, () => {
    for (const c of expected.cases) {
      const name = `line ${c.line}: ${JSON.stringify(c.sender)} ${JSON.stringify(c.address)}`;
      it(`${name}: rewrite`, async () => {
        const r = await getResolver();
        expect(r.rewrite(c.rewrite.request.rule as 'local', c.rewrite.request.address).address).toBe(c.rewrite.address);
      });
      it(`${name}: resolve`, async () => {
        const r = await getResolver();
        // What trivial-rewrite logged while answering the rewrite and the resolve request.
        const rewritten = r.rewrite(c.rewrite.request.rule as 'local', c.rewrite.request.address);
        const got = r.resolve(c.resolve.request.sender, c.resolve.request.address);
        expect(resolveFields(got)).toEqual(resolveFields(c.resolve));
        expect(classOrNull(got)).toBe(c.resolve.class);
        // trivial-rewrite starts with the first request: its start-up messages come with the first case.
        const startup = c === expected.cases[0] ? r.startup['trivial-rewrite'] : [];
        const logged = [...startup, ...warningsOf(rewritten.trace), ...got.warnings].map(logText);
        expect(logged).toEqual(c.resolve.warnings.map(warningText));
      });
      it(`${name}: sendmail -bv output`, async () => {
        const facts = existsSync(join(dir, 'facts')) ? ['--facts', FACTS] : [];
        const out = await runResolve([...facts, '-f', c.sender, '--', c.address], { host: await groupHost(dir) });
        expect(out.stdout.split('\n')[0] + '\n').toBe(c.sendmail.stdout);
        expect(c.sendmail.status).toBe(0);
      });
      it(`${name}: delivery`, async () => {
        const r = await getResolver();
        const d = r.resolveDelivery(commandLineAddress(c.sender), commandLineAddress(c.address));
        // cleanup's own warnings carry the queue id and are in the case's log.
        const cleanupLogged = d.logged
          .filter((l) => l.program === 'cleanup' && !l.unattached && l.diagnostic.severity !== 'info')
          .map((l) => `postfix/cleanup: ${l.diagnostic.severity}: Q: ${l.diagnostic.message}`);
        expect(cleanupLogged).toEqual(c.log.filter((l) => l.startsWith('postfix/cleanup: warning: ')));
        // Everything else a delivery agent or qmgr logged, sorted as recorded.
        const others = d.logged
          .filter((l) => (l.program !== 'cleanup' || l.unattached) && l.program !== 'trivial-rewrite')
          .map((l) => `postfix/${l.program}: ${logText(l.diagnostic)}`);
        expect(others.sort()).toEqual(c.warnings);
        const got = d.final.map((f) => ({
          agent: f.agent,
          to: f.to,
          ...(f.origTo !== undefined && { orig_to: f.origTo }),
          relay: f.relay,
          dsn: f.dsn,
          status: f.status,
          text: f.text,
        }));
        // What cleanup logged about the Milters' decisions (milter-reject, milter-hold, milter-discard).
        const milterLogged = d.logged
          .filter((l) => l.program === 'cleanup' && l.diagnostic.severity === 'info' && /^milter-/.test(l.diagnostic.message))
          .map((l) => `postfix/cleanup: Q: ${l.diagnostic.message}`);
        expect(milterLogged).toEqual(c.log.filter((l) => /^postfix\/cleanup: Q: milter-/.test(l)));
        // The events each Milter with facts was asked, and what it answered, in order.
        if (c.milter) {
          const asked = d.trace.flatMap((e) =>
            e.kind === 'fact' && e.fact === 'milter' && e.answer === 'verdict' ? [{ server: e.milter, stage: e.stage, verdict: e.verdict ?? 'continue' }] : [],
          );
          expect(asked).toEqual(c.milter.map((m) => ({ server: m.server, stage: m.stage, verdict: m.verdict })));
        }
        const want = c.recipients.map(({ resolve: _r, ...rest }) => rest);
        const byJson = (a: object, b: object): number => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0);
        if (!c.queued || c.from === null) {
          // qmgr never saw it: cleanup refused it for now, held it, or bounced it itself (a Milter's decision).
          if (c.log.some((l) => /^postfix\/cleanup: Q: milter-hold: /.test(l))) expect(d.held, 'cleanup holds the message').toBe(true);
          else if (c.log.some((l) => /^postfix\/cleanup: Q: milter-discard: /.test(l))) expect(d.discarded, 'cleanup drops the message').toBe(true);
          else if (want.length) expect(got.sort(byJson)).toEqual(want.sort(byJson));
          else expect(d.defer, 'cleanup does not accept the message').toBeDefined();
          return;
        }
        expect(d.defer?.message).toBeUndefined();
        expect(d.sender).toBe(commandLineAddress(c.from));
        expect(got.sort(byJson)).toEqual(want.sort(byJson));
        for (const rec of c.recipients) {
          if (!rec.resolve) continue;
          const rr = r.resolve(rec.resolve.request.sender, rec.resolve.request.address);
          expect(resolveFields(rr), `resolve for ${rec.to}`).toEqual(resolveFields(rec.resolve));
          expect(classOrNull(rr), `class of ${rec.to}`).toBe(rec.resolve.class);
          expect(rr.warnings.map(logText), `warnings resolving ${rec.to}`).toEqual(rec.resolve.warnings.map(warningText));
        }
        // qmgr's `nrcpt=`: the recipients cleanup wrote (after virtual alias expansion).
        const nrcpt = c.log.map((l) => /^postfix\/qmgr: Q: from=<.*>, nrcpt=(\d+) /.exec(l)).find(Boolean);
        if (nrcpt) expect(d.expanded.length, 'nrcpt').toBe(Number(nrcpt[1]));
      });
    }
  });
}
