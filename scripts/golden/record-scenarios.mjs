#!/usr/bin/env node
/*
 * NAME
 *   record-scenarios - play every expectation of the scenario library against real Postfix
 * SYNOPSIS
 *   node scripts/golden/record-scenarios.mjs [scenario...]
 *   npm run golden:record:scenarios [-- scenario...]
 * DESCRIPTION
 *   Each directory under tests/golden/scenarios/ is a configuration
 *   directory with words (README.md) and expectation files (*.expect, see
 *   src/engine/expect/format.ts); an exercise also has solution/, files
 *   laid over the starting configuration. For each configuration (the
 *   scenario; an exercise's start and its solution) this asks real Postfix
 *   everything the expectation files ask, with the machinery of the other
 *   recorders, unchanged:
 *     - sessions: record-smtpd's tree and inner half (a whole Postfix in a
 *       private mount, network, UTS and PID namespace, a private DNS
 *       responder and policy servers, deliveries captured). A session's
 *       client address is added to the namespace's `lo`, so smtpd sees a
 *       real peer of that address (reverse lookups go to the DNS
 *       responder); its service is reached on its master.cf port;
 *     - addresses: record-resolve (trivial-rewrite over its socket, then
 *       sendmail -bv and every delivery record);
 *     - lookups: record-lookups' isolated postmap -q.
 *   Indexed tables named in main.cf, master.cf or a lookup are built first
 *   (postalias for alias_maps and alias_database), NAME.sql becomes the
 *   SQLite database NAME (sqlite3), `passwd` lines are the namespaces'
 *   extra accounts. The expectation files are parsed with the engine's
 *   parser (bundled from src/engine), which only says what to ask: every
 *   answer comes from Postfix. Writes tests/golden/scenarios/<s>/expected.json.
 *
 *   Needs what record-smtpd and record-resolve need (root, unshare, Postfix
 *   with postfix-pcre/-sqlite/-lmdb/-cdb, sqlite3) and `ip` (iproute2).
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleEngine } from '../../bench/bundle-engine.mjs';
import { daemonInner, daemonNamespaceScript, dieWith, pool, which, withWorkDir } from './namespace.mjs';
import { checkEnvironment as checkSmtpdEnvironment, checkMainCf, prepareWork } from './record-smtpd.mjs';
import { checkEnvironment as checkResolveEnvironment, prepareGroup as prepareResolveGroup, runGroup as runResolveGroup } from './record-resolve.mjs';
import { runIsolated } from './record-lookups.mjs';
import { checkEnvironment as checkPostscreenEnvironment, prepareWork as preparePostscreenWork } from './record-postscreen.mjs';
import { RECORD_ENVIRONMENT, parsePasswd } from './resolve-format.mjs';
import { configurationSources, digest, filesOf } from './scenarios-format.mjs';
import { parseDnsFile, parseMilterFacts, parsePolicyFacts } from './smtpd-format.mjs';

/** @import { Asked } from '../../src/engine/index.ts' */
/** @import { DnsRecord } from './smtpd-format.mjs' */
/** @import { GoldenResolveGroup } from './resolve-format.mjs' */

/** @typedef {typeof import('../../src/engine/index.ts')} Engine */
/** @typedef {Record<string, string>} Files a configuration: relative path -> file on disk */
/** @typedef {Asked & { files: string[] }} Ask what the expectation files ask, and their names */
/** @typedef {Asked['sessions'][number]} AskedSession */
/** @typedef {{ argv: string[]; stdout: string; stderr: string; status: number | null }} RecordedRun */
/**
 * The lookups of a configuration, as postmap answered them.
 * @typedef {{ builds: RecordedRun[]; queries: (Asked['lookups'][number] & RecordedRun)[] }} LookupsRecording
 */
/**
 * What expected.json holds for one configuration; `smtpd` or `postscreen`: the
 * inner recorder's JSON.
 * @typedef {object} ConfigurationRecording
 * @property {Record<string, string>} files
 * @property {Asked} asked
 * @property {object | null} smtpd
 * @property {object} [postscreen]
 * @property {Omit<GoldenResolveGroup, 'postfix'> | null} resolve
 * @property {LookupsRecording | null} lookups
 */

const SELF = fileURLToPath(import.meta.url);
const ROOT = resolve(dirname(SELF), '../..');
const LIBRARY = join(ROOT, 'tests/golden/scenarios');
const RECORD_SMTPD = join(dirname(SELF), 'record-smtpd.mjs');
const RECORD_POSTSCREEN = join(dirname(SELF), 'record-postscreen.mjs');
/** master.cf runs postscreen(8) on the smtp port (as record-postscreen requires it). */
const POSTSCREEN_ON_SMTP = /^smtp\s+inet\s+(\S+\s+){5}postscreen\b/m;
const ENV = RECORD_ENVIRONMENT;
const HOSTNAME = 'host.example.com';
const MARKER = '@@record-scenarios: namespace ready@@';
/** Recordings at the same time (each a whole Postfix, mostly waiting). */
const CONCURRENCY = 5;
/** Indexed types real postmap builds (Debian 12). */
const BUILT_TYPES = ['hash', 'btree', 'lmdb', 'cdb'];
/** Where a session connects from when it names no client (as the simulator). */
const DEFAULT_CLIENT = '127.0.0.1';

/**
 * Prints `NAME: message` and exits 1 (typed here, so that TypeScript sees a call end control flow).
 * @type {(message: string) => never}
 */
const die = dieWith('record-scenarios');

/* ------------------------------------------------------------------ */
/* The scenarios: configurations and what their expectations ask.      */
/* ------------------------------------------------------------------ */

/**
 * servicePort - the TCP port of a master.cf inet service name (`smtp`, `submission`, `2525`, `127.0.0.1:2525`).
 * @param {string} service
 * @returns {number}
 */
function servicePort(service) {
  const name = service.includes(':') ? service.slice(service.lastIndexOf(':') + 1) : service;
  if (/^\d+$/.test(name)) return Number(name);
  for (const line of readFileSync('/etc/services', 'utf8').split('\n')) {
    const f = line.replace(/#.*/, '').trim().split(/\s+/);
    if (f.length >= 2 && /^\d+\/tcp$/.test(f[1]) && (f[0] === name || f.slice(2).includes(name))) return Number(f[1].split('/')[0]);
  }
  throw new Error(`service ${service}: no TCP port in /etc/services`);
}

/**
 * asked - what the expectation files ask (the engine's askedBy), after checking that it can be recorded.
 * @param {Engine} engine
 * @param {string} dir
 * @param {string} name
 * @returns {Ask}
 */
function asked(engine, dir, name) {
  const files = filesOf(dir).filter(engine.isExpectFile);
  if (files.length === 0) throw new Error(`${name}: no *.expect file`);
  const parsed = files.map((file) => engine.parseExpectations(readFileSync(join(dir, file), 'utf8'), file));
  const bad = parsed.flatMap((p) => p.diagnostics.filter((d) => d.severity !== 'info').map((d) => `${name}/${p.file}:${d.line}: ${d.severity}: ${d.message}`));
  if (bad.length) throw new Error(bad.join('\n  '));
  for (const p of parsed)
    for (const e of p.items) {
      if (e.kind !== 'session') continue;
      const at = `${name}/${p.file}:${e.line}`;
      if (e.tls) throw new Error(`${at}: TLS facts cannot be recorded (no TLS handshake here)`);
      const client = e.client?.addr ?? DEFAULT_CLIENT;
      if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(client)) throw new Error(`${at}: only IPv4 clients can be recorded: ${client}`);
    }
  return { files, ...engine.askedBy(parsed) };
}

/**
 * mainValues - the values main.cf gives `names` (logical lines, as postconf reads them).
 * @param {string} text
 * @param {string[]} names
 * @returns {string}
 */
function mainValues(text, names) {
  /** @type {string[]} */
  const values = [];
  const logical = text.replace(/\n[ \t]+(?=\S)/g, ' ').split('\n');
  for (const line of logical) {
    const m = /^([A-Za-z0-9_]+)\s*=\s*(.*)$/.exec(line);
    if (m && names.includes(m[1])) values.push(m[2]);
  }
  return values.join(' ');
}

/**
 * builds - the indexed tables to build before Postfix starts: every
 * TYPE:/etc/postfix/NAME of a built type named in main.cf, master.cf or a
 * lookup whose source is in the configuration; postalias for alias tables.
 * @param {Files} files
 * @param {{ map: string }[]} lookups
 * @returns {{ command: 'postmap' | 'postalias'; map: string }[]}
 */
function builds(files, lookups) {
  const text = (/** @type {string} */ f) => (files[f] ? readFileSync(files[f], 'utf8') : '');
  const aliasValues = mainValues(text('main.cf'), ['alias_maps', 'alias_database']);
  /** @type {Map<string, 'postmap' | 'postalias'>} */
  const seen = new Map();
  const pattern = new RegExp(`\\b(${BUILT_TYPES.join('|')}):(/etc/postfix/[^\\s,{}]+)`, 'g');
  for (const source of [text('main.cf'), text('master.cf'), ...lookups.map((l) => l.map)])
    for (const m of source.matchAll(pattern)) {
      const map = `${m[1]}:${m[2]}`;
      if (seen.has(map) || !files[m[2].slice('/etc/postfix/'.length)]) continue;
      seen.set(map, aliasValues.includes(map) ? 'postalias' : 'postmap');
    }
  return [...seen].map(([map, command]) => ({ command, map }));
}

/* ------------------------------------------------------------------ */
/* Recording one configuration.                                        */
/* ------------------------------------------------------------------ */

/**
 * materialise - the configuration's files in a fresh directory (what /etc/postfix plus facts hold).
 * @param {Files} files
 * @param {string} dir
 * @returns {string}
 */
function materialise(files, dir) {
  mkdirSync(dir, { recursive: true });
  for (const [rel, src] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    cpSync(src, join(dir, rel));
  }
  return dir;
}

/**
 * @param {Files} files
 * @param {string} into
 */
function sqliteDatabases(files, into) {
  for (const f of Object.keys(files).filter((x) => x.endsWith('.sql'))) {
    const db = f.slice(0, -'.sql'.length);
    if (files[db]) throw new Error(`both ${f} and ${db} exist`);
    const r = spawnSync('sqlite3', ['-bail', join(into, db)], { input: readFileSync(files[f]), env: ENV, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`sqlite3 failed on ${f}: ${r.stderr}`);
  }
}

const backdate = (/** @type {string} */ dir) => {
  const r = spawnSync('find', [dir, '-exec', 'touch', '-h', '-d', '2000-01-01T00:00:00Z', '{}', '+'], { env: ENV, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`touch failed: ${r.stderr}`);
};

/**
 * confirmClientName - a session that names its client must have the name
 * the scenario's DNS gives the address (PTR, and an A record back), since
 * real smtpd finds names only that way.
 * @param {AskedSession} session
 * @param {DnsRecord[]} dns
 */
function confirmClientName(session, dns) {
  const name = session.name;
  if (!name) return;
  const reverse = `${session.client.split('.').reverse().join('.')}.in-addr.arpa`;
  const bare = (/** @type {string} */ n) => n.replace(/\.$/, '').toLowerCase();
  const ptr = dns.some((r) => r.type === 'PTR' && bare(r.name) === reverse && bare(r.data) === bare(name));
  const a = dns.some((r) => r.type === 'A' && bare(r.name) === bare(name) && r.data === session.client);
  if (!ptr || !a) throw new Error(`session ${session.key}: client ${session.client} is called ${name} only if dns has its PTR and A records`);
}

/**
 * inNamespace - runs a recorder's inner half on `work` in a daemon namespace where the sessions' client addresses are on lo.
 * @param {string} recorder
 * @param {string} work
 * @param {AskedSession[]} sessions
 * @returns {Promise<object>} the JSON the inner half printed
 */
async function inNamespace(recorder, work, sessions) {
  // Every client address is the namespace's own, on lo: the daemons see a real peer.
  const addresses = [...new Set(sessions.map((s) => s.client).filter((a) => !/^127\./.test(a)))];
  const script = `set -e\n${addresses.map((a) => `ip addr add ${a}/32 dev lo\n`).join('')}${daemonNamespaceScript(HOSTNAME, MARKER)}`;
  return /** @type {object} */ (await daemonInner(script, MARKER, work, recorder, ENV)); // the recorders' inner halves write objects
}

/**
 * addPasswd - the configuration's extra accounts in the namespace's /etc/passwd.
 * @param {Files} files
 * @param {string} work
 */
function addPasswd(files, work) {
  if (!files.passwd) return;
  const lines = parsePasswd(readFileSync(files.passwd, 'utf8'), 'passwd').map((e) => e.entry + '\n');
  appendFileSync(join(work, 'sys', 'passwd'), lines.join(''));
}

/**
 * recordPostscreen - the sessions through postscreen, with record-postscreen's
 * machinery: each session is a dialogue of one connection, all played at the
 * same time (so each needs a client address of its own).
 * @param {string} label
 * @param {string} conf
 * @param {Files} files
 * @param {Ask} ask
 * @param {string} main
 * @param {DnsRecord[]} dns
 * @param {string} base
 * @returns {Promise<object>}
 */
async function recordPostscreen(label, conf, files, ask, main, dns, base) {
  /** @type {Map<string, string>} */
  const owners = new Map();
  for (const s of ask.sessions) {
    if (s.service !== 'smtp') throw new Error(`session ${s.key}: with postscreen on smtp, sessions go to smtp`);
    if (s.name) throw new Error(`session ${s.key}: a client's name comes from the dns file here (postscreen has no XCLIENT)`);
    if (owners.has(s.client)) throw new Error(`sessions ${owners.get(s.client)} and ${s.key} share client ${s.client} (they run at the same time)`);
    owners.set(s.client, s.key);
  }
  const group = {
    name: label,
    dir: conf,
    main,
    master: readFileSync(join(conf, 'master.cf'), 'utf8'),
    build: builds(files, []).map((b) => ({ command: b.command, argv: [b.map] })),
    dns,
    dialogues: ask.sessions.map((s, i) => ({
      name: s.key,
      connections: [
        { client: s.client, server: '127.0.0.1', pipelined: s.pipelined, bareNewline: false, comments: [], lines: s.lines, line: 1, port: 20000 + i },
      ],
    })),
  };
  const work = preparePostscreenWork(group, base);
  sqliteDatabases(files, join(work, 'etc'));
  backdate(join(work, 'etc'));
  addPasswd(files, work);
  return inNamespace(RECORD_POSTSCREEN, work, ask.sessions);
}

/**
 * @param {string} label
 * @param {string} conf
 * @param {Files} files
 * @param {Ask} ask
 * @param {string} base
 * @returns {Promise<{ postscreen: object } | { smtpd: object }>}
 */
async function recordSessions(label, conf, files, ask, base) {
  const main = readFileSync(join(conf, 'main.cf'), 'utf8');
  checkMainCf(main);
  if (ask.sessions.some((s) => s.client !== DEFAULT_CLIENT && !/^127\./.test(s.client)) && !/^mynetworks\s*=/m.test(main))
    throw new Error("main.cf must set mynetworks: the clients' addresses are the namespace's own, which mynetworks_style would trust");
  const dns = files.dns ? parseDnsFile(readFileSync(files.dns, 'utf8'), 'dns') : [];
  for (const s of ask.sessions) confirmClientName(s, dns);
  if (files['master.cf'] && POSTSCREEN_ON_SMTP.test(readFileSync(files['master.cf'], 'utf8')))
    return { postscreen: await recordPostscreen(label, conf, files, ask, main, dns, base) };
  const group = {
    name: label,
    dir: conf,
    main,
    build: builds(files, []).map((b) => ({ command: b.command, argv: [b.map] })),
    dns,
    policy: files.facts ? parsePolicyFacts(readFileSync(files.facts, 'utf8'), 'facts') : [],
    // Milter facts answer as record-smtpd's responders do (its inner recorder serves them).
    milters: files.facts ? parseMilterFacts(readFileSync(files.facts, 'utf8'), 'facts') : [],
    sessions: ask.sessions.map((s) => ({ name: s.key, client: s.client, pipelined: s.pipelined, comments: [], lines: s.lines, port: servicePort(s.service) })),
  };
  const work = prepareWork(group, base);
  sqliteDatabases(files, join(work, 'etc'));
  backdate(join(work, 'etc'));
  addPasswd(files, work);
  return { smtpd: await inNamespace(RECORD_SMTPD, work, ask.sessions) };
}

/**
 * @param {string} label
 * @param {string} conf
 * @param {Files} files
 * @param {Ask} ask
 * @param {string} base
 */
async function recordAddresses(label, conf, files, ask, base) {
  const source = join(base, `${label}.resolve`);
  cpSync(conf, source, { recursive: true });
  writeFileSync(join(source, 'cases'), ask.addresses.map((a) => `${a.sender}\t${a.address}\n`).join(''));
  writeFileSync(
    join(source, 'build'),
    builds(files, [])
      .map((b) => `${b.command === 'postalias' ? 'aliases:' : ''}${b.map}\n`)
      .join(''),
  );
  const work = join(base, 'resolve');
  mkdirSync(work, { recursive: true });
  chmodSync(work, 0o755);
  return runResolveGroup(prepareResolveGroup(label, work, source));
}

/**
 * @param {string} label
 * @param {string} conf
 * @param {Files} files
 * @param {Ask} ask
 * @param {string} base
 * @returns {Promise<LookupsRecording>}
 */
async function recordLookups(label, conf, files, ask, base) {
  const config = join(base, `${label}.lookups`);
  cpSync(conf, config, { recursive: true });
  cpSync('/etc/postfix/dynamicmaps.cf', join(config, 'dynamicmaps.cf'));
  if (existsSync('/etc/postfix/dynamicmaps.cf.d')) cpSync('/etc/postfix/dynamicmaps.cf.d', join(config, 'dynamicmaps.cf.d'), { recursive: true });
  sqliteDatabases(files, config);
  backdate(config);
  const empty = join(base, `${label}.empty`);
  mkdirSync(empty);
  /** @type {RecordedRun[]} */
  const built = [];
  for (const b of builds(files, ask.lookups)) {
    const r = await runIsolated(config, 'rw', empty, [b.command, b.map], null);
    built.push({ argv: [b.command, b.map], stdout: r.stdout, stderr: r.stderr, status: r.status });
  }
  /** @type {LookupsRecording['queries']} */
  const queries = [];
  for (const l of ask.lookups) {
    const argv = ['postmap', ...(l.noFold ? ['-f'] : []), '-q', l.key, l.map];
    const r = await runIsolated(config, 'ro', empty, argv, null);
    queries.push({ ...l, argv, stdout: r.stdout, stderr: r.stderr, status: r.status });
  }
  return { builds: built, queries };
}

/**
 * recordScenario - the recording jobs of every configuration of one scenario, and the expected.json they fill.
 * @param {Engine} engine
 * @param {string} name
 * @param {string} base
 * @param {string} version
 * @returns {{ jobs: (() => Promise<unknown>)[]; result: () => { postfix: string; expectations: string[]; configurations: Record<string, ConfigurationRecording> } }}
 */
function recordScenario(engine, name, base, version) {
  const dir = join(LIBRARY, name);
  const ask = asked(engine, dir, name);
  /** @type {Record<string, ConfigurationRecording>} */
  const out = {};
  /** @type {(() => Promise<unknown>)[]} */
  const jobs = [];
  for (const [label, files] of Object.entries(configurationSources(dir, engine))) {
    if (!files['main.cf']) throw new Error(`${name}: no main.cf`);
    const tag = `${name}.${label}`;
    const conf = materialise(files, join(base, tag, 'conf'));
    /** @type {ConfigurationRecording} */
    const rec = (out[label] = {
      files: digest(files),
      asked: { sessions: ask.sessions, addresses: ask.addresses, lookups: ask.lookups },
      smtpd: null,
      resolve: null,
      lookups: null,
    });
    const where = join(base, tag);
    if (ask.sessions.length) jobs.push(async () => Object.assign(rec, await recordSessions(tag, conf, files, ask, where)));
    if (ask.addresses.length) jobs.push(async () => (rec.resolve = await recordAddresses(tag, conf, files, ask, where)));
    if (ask.lookups.length) jobs.push(async () => (rec.lookups = await recordLookups(tag, conf, files, ask, where)));
  }
  return { jobs, result: () => ({ postfix: version, expectations: ask.files, configurations: out }) };
}

async function main() {
  const started = Date.now();
  if (!which('ip', ENV.PATH)) die('ip (iproute2) not found: sessions from other addresses need it');
  const version = checkSmtpdEnvironment();
  checkResolveEnvironment();
  checkPostscreenEnvironment();
  const all = existsSync(LIBRARY)
    ? readdirSync(LIBRARY)
        .filter((d) => statSync(join(LIBRARY, d)).isDirectory())
        .sort()
    : [];
  const wanted = process.argv.slice(2);
  for (const w of wanted) if (!all.includes(w)) die(`no scenario ${w} under ${relative(ROOT, LIBRARY)}`);
  const engine = await bundleEngine('record-scenarios');
  /** @type {string[]} */
  const failures = [];
  let counts = { sessions: 0, addresses: 0, lookups: 0 };
  // Mode 755: Postfix's unprivileged daemons walk into it through the bind mounts' sources.
  await withWorkDir({ recorder: 'record-scenarios', prefix: 'golden-scenarios-', keep: 'RECORD_SCENARIOS_KEEP', mode: 0o755 }, async (base) => {
    /** @type {({ name: string; failed?: boolean } & ReturnType<typeof recordScenario>)[]} */
    const planned = [];
    for (const name of wanted.length ? wanted : all) {
      try {
        planned.push({ name, ...recordScenario(engine, name, join(base, name), version) });
      } catch (e) {
        failures.push(`${name}: ${/** @type {Error} */ (e).message}`);
      }
    }
    await pool(
      planned.flatMap((p) =>
        p.jobs.map((job) => async () => {
          try {
            await job();
          } catch (e) {
            failures.push(`${p.name}: ${/** @type {Error} */ (e).message}`);
            p.failed = true;
          }
        }),
      ),
      CONCURRENCY,
    );
    for (const p of planned) {
      if (p.failed) continue;
      const json = p.result();
      writeFileSync(join(LIBRARY, p.name, engine.SCENARIO_RECORDING), JSON.stringify(json, null, 2) + '\n');
      const c = Object.values(json.configurations);
      counts = {
        sessions: counts.sessions + c.reduce((n, x) => n + x.asked.sessions.length, 0),
        addresses: counts.addresses + c.reduce((n, x) => n + x.asked.addresses.length, 0),
        lookups: counts.lookups + c.reduce((n, x) => n + x.asked.lookups.length, 0),
      };
      process.stderr.write(`record-scenarios: ${p.name}: ${Object.keys(json.configurations).join(' and ')}\n`);
    }
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    process.stderr.write(
      `record-scenarios: Postfix ${version}: ${planned.length - planned.filter((p) => p.failed).length} scenarios, ` +
        `${counts.sessions} sessions, ${counts.addresses} addresses, ${counts.lookups} lookups, ${secs} s\n`,
    );
  });
  if (failures.length) die(`failed:\n  ${failures.join('\n  ')}`);
}

if (process.argv[1] && resolve(process.argv[1]) === SELF) main().catch((e) => die(e.stack ?? String(e)));
