#!/usr/bin/env node
/*
 * NAME
 *   record-parameter-checks - which parameters each Postfix program reads at start-up, and how it checks them
 * SYNOPSIS
 *   node scripts/golden/record-parameter-checks.mjs
 *   npm run golden:record:parameter-checks
 * DESCRIPTION
 *   Asks the installed Postfix programs themselves, and writes
 *   src/engine/config/parameter-checks.generated.ts. For each program
 *   (postmap, and the daemons smtpd, trivial-rewrite, cleanup, local,
 *   virtual, postscreen run in stand-alone mode, `-S -V`, which logs to
 *   stderr) it runs the program many times against a private main.cf (an
 *   empty directory mounted over /etc/postfix) in
 *   which every parameter that may matter holds a probe value, and reads
 *   the first fatal error:
 *
 *   1. `NAME $` everywhere: "empty macro name" names the parameter the
 *      program reads (expands) next. It is put back to its default and
 *      the program run again, until it reads no more: the parameters it
 *      reads at start-up, in order.
 *   2. `@bad@` in each of those: "bad numerical configuration", "bad time
 *      value or unit", "bad boolean configuration" give the type (int or
 *      long, time, bool); any other fatal error that names the parameter
 *      is kept as is (e.g. a host name check).
 *   3. `0`, `2147483647`, `2147483648`, `9223372036854775807` in numbers
 *      and times: the minimum and maximum the program enforces, and int
 *      versus long.
 *   4. an empty value in the others: a minimum string length.
 *
 *   The messages are Postfix's own; the simulator (config/checks.ts)
 *   applies the checks in the same order to a configuration and gives the
 *   first fatal error. Each run happens in a private mount, UTS and network
 *   namespace (host name host.example.com, lo only, empty queue and data
 *   directories) and is killed
 *   as soon as it logs its fatal error, so the whole recording takes about
 *   a minute. Deterministic for a given Postfix build. Needs root.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { askPostconf, dieWith, innerNamespaceScript } from './namespace.mjs';

/**
 * How a program checks a parameter (ParameterCheck of the generated module;
 * 'number' while int and long are not told apart yet).
 * @typedef {object} Check
 * @property {'number' | 'int' | 'long' | 'time' | 'bool' | 'str' | 'other'} kind
 * @property {number} [min]
 * @property {number} [max]
 * @property {number} [minLength]
 * @property {string} [message]
 */
/** @typedef {{ order: string[]; checks: Record<string, Check> }} ProgramResult */
/** @typedef {{ name: string; kind: 'number' | 'time' | 'bool' | 'unknown' } | { name: string; kind: 'other'; message: string }} TypeFinding */
/** @typedef {{ name: string; min?: number; max?: number }} BoundFinding */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = join(ROOT, 'src/engine/config/parameter-checks.generated.ts');
const ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' };
const SBIN = '/usr/lib/postfix/sbin';
/**
 * The programs whose start-up the simulator models, and how each is started.
 * @type {Record<string, string[]>}
 */
const PROGRAMS = {
  postmap: ['/usr/sbin/postmap', '-q', 'x', 'static:y'],
  smtpd: [`${SBIN}/smtpd`, '-S', '-V'],
  'trivial-rewrite': [`${SBIN}/trivial-rewrite`, '-S', '-V'],
  cleanup: [`${SBIN}/cleanup`, '-S', '-V'],
  local: [`${SBIN}/local`, '-S', '-V'],
  virtual: [`${SBIN}/virtual`, '-S', '-V'],
  postscreen: [`${SBIN}/postscreen`, '-S', '-V'],
};
/**
 * Settings every run of a program starts from (a parameter "put back"
 * gets this value): virtual(8) refuses to start without a mailbox base.
 * @type {Record<string, Record<string, string> | undefined>}
 */
const BASE = { virtual: { virtual_mailbox_base: '/var/mail' } };
/**
 * Numbers whose bounds are not probed: local and virtual compare their mailbox limit with message_size_limit first.
 * @type {Record<string, string[] | undefined>}
 */
const NOT_BOUND = { local: ['mailbox_size_limit', 'message_size_limit'], virtual: ['virtual_mailbox_limit', 'message_size_limit'] };
/** A run that logs nothing fatal within this time has read its configuration. */
const QUIET_MS = 400;
/**
 * Parameters never probed: where the programs find their files, what they
 * read before they can log to stderr (logging, environment), and names
 * that are not configuration.
 */
const NOT_PROBED = new Set([
  ...['config_directory', 'daemon_directory', 'command_directory', 'queue_directory', 'data_directory', 'meta_directory', 'shlib_directory'],
  ...['process_name', 'process_id', 'service_name', 'mail_version', 'mail_release_date'],
  ...['syslog_name', 'syslog_facility', 'maillog_file', 'maillog_file_prefixes', 'maillog_file_compressor', 'maillog_file_rotate_suffix'],
  ...['postlog_service_name', 'postlogd_watchdog_timeout', 'import_environment', 'export_environment', 'alternate_config_directories'],
  ...['multi_instance_directories', 'multi_instance_enable', 'multi_instance_group', 'multi_instance_name', 'multi_instance_wrapper'],
]);
const MARKER = '@@record-parameter-checks: namespace ready@@';
/** The machine's host name in the namespace (myhostname's default, as in the other recorders). */
const HOSTNAME = 'host.example.com';

/**
 * Prints `NAME: message` and exits 1 (typed here, so that TypeScript sees a call end control flow).
 * @type {(message: string) => never}
 */
const die = dieWith('record-parameter-checks');

/** The built-in parameters, as `postconf -d` lists them. */
function builtinParameters() {
  const r = askPostconf(['-d'], ENV);
  if (r.status !== 0) die(`postconf -d failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/ =.*$/, ''))
    .filter((n) => !NOT_PROBED.has(n));
}

/**
 * run - one start of `program` with main.cf = `settings`: its first fatal (or panic) line, or null.
 * @param {string} config
 * @param {string} program
 * @param {Map<string, string>} settings
 * @returns {Promise<{ line: string | null; log: string }>}
 */
function run(config, program, settings) {
  const all = new Map(Object.entries(BASE[program] ?? {}));
  for (const [n, v] of settings) all.set(n, v);
  const text = [...all].map(([n, v]) => `${n} = ${v}\n`).join('');
  writeFileSync(join(config, 'main.cf'), text);
  // Postfix re-reads a main.cf younger than a few seconds: back-date it.
  const old = new Date('2000-01-01T00:00:00Z');
  utimesSync(join(config, 'main.cf'), old, old);
  const [cmd, ...args] = PROGRAMS[program];
  return new Promise((done) => {
    // `config` is mounted over /etc/postfix: daemons check a MAIL_CONFIG directory against the default main.cf.
    const child = spawn(cmd, args, { env: ENV, cwd: '/', stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    let settled = false;
    const finish = (/** @type {string | null} */ line) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      done({ line, log: err });
    };
    const timer = setTimeout(() => finish(null), QUIET_MS);
    child.stderr.on('data', (/** @type {Buffer} */ d) => {
      err += d;
      // A panic comes when a daemon, done reading its configuration, finds no client: no answer.
      if (/^\S+: panic: /m.test(err)) return finish(null);
      const m = /^\S+: fatal: (.*)$/m.exec(err);
      if (m) finish(m[1]);
    });
    child.on('close', () => finish(null));
  });
}

/**
 * reads - phase 1: the parameters `program` expands at start-up, in order.
 * @param {string} config
 * @param {string} program
 * @param {string[]} names
 * @returns {Promise<string[]>}
 */
async function reads(config, program, names) {
  const settings = new Map(names.map((n) => [n, `${n} $`]));
  /** @type {string[]} */
  const order = [];
  for (;;) {
    const r = await run(config, program, settings);
    const m = /empty macro name: "(\w+) \$"/.exec(r.log);
    if (!m || !settings.has(m[1])) {
      if (process.env.RECORD_DEBUG) process.stderr.write(`${program}: reads end: ${r.log.slice(0, 400)}\n`);
      break;
    }
    order.push(m[1]);
    settings.delete(m[1]);
  }
  return order;
}

/**
 * probe - sets every name in `names` (in reading order) to value(name) and
 * collects, by parameter, what each first fatal error says. classify()
 * reads a message that names its parameter; a message that does not is
 * traced to the first parameter (in reading order) whose value alone
 * causes it, and handed to unnamed(name, message).
 * @template {{ name: string }} F
 * @param {string} config
 * @param {string} program
 * @param {string[]} names
 * @param {(name: string) => string} value
 * @param {(line: string, settings: Map<string, string>) => F | null | undefined} classify
 * @param {(name: string, line: string) => F | undefined} [unnamed]
 * @returns {Promise<Map<string, F>>}
 */
async function probe(config, program, names, value, classify, unnamed = () => undefined) {
  const settings = new Map(names.map((n) => [n, value(n)]));
  /** @type {Map<string, F>} */
  const found = new Map();
  while (settings.size > 0) {
    const r = await run(config, program, settings);
    if (r.line === null) break;
    let c = classify(r.line, settings);
    if (!c) {
      const name = await culprit(config, program, settings, r.line);
      c = name === undefined ? undefined : unnamed(name, r.line);
    }
    if (!c) {
      if (process.env.RECORD_DEBUG) process.stderr.write(`${program}: probe ends: ${r.line}\n`);
      break;
    }
    found.set(c.name, c);
    settings.delete(c.name);
  }
  return found;
}

/**
 * culprit - the shortest prefix of `settings` (reading order) that still gives `line`: its last parameter.
 * @param {string} config
 * @param {string} program
 * @param {Map<string, string>} settings
 * @param {string} line
 * @returns {Promise<string | undefined>}
 */
async function culprit(config, program, settings, line) {
  const entries = [...settings];
  let lo = 1;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((await run(config, program, new Map(entries.slice(0, mid)))).line === line) hi = mid;
    else lo = mid + 1;
  }
  const r = await run(config, program, new Map(entries.slice(0, lo)));
  if (r.line !== line) return undefined;
  // It must be that parameter's value: without it, the message goes away.
  const without = await run(config, program, new Map(entries.slice(0, lo - 1)));
  return without.line === line ? undefined : entries[lo - 1][0];
}

/**
 * The parameter a fatal message is about: one whose probe value it quotes, longest name first.
 * @param {string} line
 * @param {Map<string, string>} settings
 * @returns {string | undefined}
 */
function nameIn(line, settings) {
  const candidates = [...settings.keys()].filter((n) => new RegExp(`(^|[^A-Za-z0-9_])${n}([^A-Za-z0-9_]|$)`).test(line));
  return candidates.sort((a, b) => b.length - a.length)[0];
}

/**
 * @param {string} config
 * @param {string} program
 * @param {string[]} names
 * @returns {Promise<ProgramResult>}
 */
async function recordProgram(config, program, names) {
  const order = await reads(config, program, names);
  /** @type {Record<string, Check>} */
  const checks = {};
  // 2. Types.
  const types = await probe(
    config,
    program,
    order,
    () => '@bad@',
    /** @returns {TypeFinding | undefined} */
    (line, settings) => {
      let m;
      if ((m = /^bad numerical configuration: (\w+) = @bad@$/.exec(line))) return { name: m[1], kind: 'number' };
      if ((m = /^parameter (\w+): bad time value or unit: @bad@$/.exec(line))) return { name: m[1], kind: 'time' };
      if ((m = /^bad boolean configuration: (\w+) = @bad@$/.exec(line))) return { name: m[1], kind: 'bool' };
      const name = nameIn(line, settings);
      return name && line.includes('@bad@') ? { name, kind: 'other', message: line } : undefined;
    },
    /** @returns {TypeFinding} */
    (name, line) =>
      // A message about other parameters (a check of two values) is not this parameter's: it is put back and read as a string.
      line.includes('@bad@') || line.includes(name) ? { name, kind: 'other', message: line } : { name, kind: 'unknown' },
  );
  for (const [name, t] of types) if (t.kind !== 'unknown') checks[name] = t.kind === 'other' ? { kind: 'other', message: t.message } : { kind: t.kind };
  const numeric = order.filter((n) => (checks[n]?.kind === 'number' || checks[n]?.kind === 'time') && !NOT_BOUND[program]?.includes(n));
  // 3. Bounds, and int versus long.
  const bound = (/** @type {(name: string) => string} */ value, /** @type {RegExp[]} */ re, /** @type {'min' | 'max'} */ field) =>
    probe(config, program, numeric, value, (line) => {
      for (const r of re) {
        const m = r.exec(line);
        if (m && checks[m[1]]) return /** @type {BoundFinding} */ ({ name: m[1], [field]: Number(m[2]) });
      }
      return undefined;
    });
  const mins = await bound(
    (n) => (checks[n].kind === 'time' ? '0s' : '0'),
    [/^invalid (\w+) parameter value 0 < (-?\d+)$/, /^invalid (\w+): 0 \(min (\d+)\)$/],
    'min',
  );
  for (const [name, v] of mins) checks[name].min = v.min;
  const maxes = await bound(
    (n) => (checks[n].kind === 'time' ? '2147483647s' : '2147483647'),
    [/^invalid (\w+) parameter value 2147483647 > (-?\d+)$/, /^invalid (\w+): 2147483647 \(max (\d+)\)$/],
    'max',
  );
  for (const [name, v] of maxes) checks[name].max = v.max;
  const numbers = order.filter((n) => checks[n]?.kind === 'number' && !NOT_BOUND[program]?.includes(n));
  const ints = await probe(
    config,
    program,
    numbers,
    () => '2147483648',
    (line) => {
      const m = /^bad numerical configuration: (\w+) = 2147483648$/.exec(line);
      return m && checks[m[1]] ? { name: m[1] } : undefined;
    },
  );
  for (const n of order) if (checks[n]?.kind === 'number') checks[n].kind = ints.has(n) || !numbers.includes(n) ? (ints.has(n) ? 'int' : 'long') : 'long';
  const longs = numbers.filter((n) => checks[n].kind === 'long' && checks[n].max === undefined);
  const longMax = await probe(
    config,
    program,
    longs,
    () => '9223372036854775807',
    (line) => {
      const m = /^invalid (\w+) parameter value 9223372036854775807 > (-?\d+)$/.exec(line);
      return m && checks[m[1]] ? { name: m[1], max: Number(m[2]) } : undefined;
    },
  );
  for (const [name, v] of longMax) checks[name].max = v.max;
  // 4. Strings: a minimum length.
  const strings = order.filter((n) => !checks[n] || checks[n].kind === 'other');
  const lengths = await probe(
    config,
    program,
    strings,
    () => '',
    /** @returns {{ name: string; minLength?: number } | undefined} */
    (line) => {
      const m = /^bad string length 0 < (\d+): (\w+) = $/.exec(line);
      return m ? { name: m[2], minLength: Number(m[1]) } : undefined;
    },
    // Another check that an empty value fails (e.g. a list that must not be empty): put it back, go on.
    /** @returns {{ name: string; minLength?: number }} */
    (name) => ({ name }),
  );
  for (const n of strings) {
    checks[n] ??= { kind: 'str' };
    const length = lengths.get(n);
    if (length) checks[n].minLength = length.minLength;
  }
  return { order, checks };
}

/** @param {string} work */
async function inner(work) {
  // Mounted over /etc/postfix by the namespace script.
  const config = '/etc/postfix';
  void work;
  const names = builtinParameters();
  /** @type {Record<string, ProgramResult>} */
  const result = {};
  for (const program of Object.keys(PROGRAMS)) {
    const t0 = Date.now();
    result[program] = await recordProgram(config, program, names);
    process.stderr.write(`record-parameter-checks: ${program}: ${result[program].order.length} parameters, ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  process.stdout.write(JSON.stringify(result));
}

/**
 * render - the generated module: per program the parameters in reading order; one check per parameter.
 * @param {string} version
 * @param {Record<string, ProgramResult>} result
 * @returns {string}
 */
function render(version, result) {
  /** @type {Record<string, Check>} */
  const checks = {};
  /** @type {Record<string, Record<string, Check>>} */
  const overrides = {};
  for (const [program, { checks: own }] of Object.entries(result))
    for (const [name, check] of Object.entries(own)) {
      if (!(name in checks)) checks[name] = check;
      else if (JSON.stringify(checks[name]) !== JSON.stringify(check)) (overrides[program] ??= {})[name] = check;
    }
  const sorted = Object.fromEntries(Object.entries(checks).sort(([a], [b]) => (a < b ? -1 : 1)));
  const lines = [
    '/*',
    ' * NAME',
    ' *   parameter-checks.generated - what Postfix programs read at start-up and how they check it',
    ' * DESCRIPTION',
    ' *   GENERATED by scripts/golden/record-parameter-checks.mjs from the programs',
    ` *   of Postfix ${version} themselves. Do not edit. See config/checks.ts.`,
    ' * SEE ALSO',
    ' *   postconf(5)',
    ' */',
    '',
    `/** The Postfix version the table was generated from. */`,
    `export const CHECKS_POSTFIX_VERSION = ${JSON.stringify(version)};`,
    '',
    '/** How a program checks a parameter value it reads. */',
    'export interface ParameterCheck {',
    "  kind: 'int' | 'long' | 'time' | 'bool' | 'str' | 'other';",
    '  min?: number;',
    '  max?: number;',
    '  minLength?: number;',
    "  /** kind 'other': the fatal error the program gave for the value @bad@. */",
    '  message?: string;',
    '}',
    '',
    '/** What every program reads first: mail_params_init(), as postmap shows it. */',
    `const GLOBAL: readonly string[] = ${JSON.stringify(result.postmap.order)};`,
    '',
    '/** The parameters each program reads (and expands) at start-up, in order. */',
    'export const READS: Readonly<Record<string, readonly string[]>> = {',
    ...Object.entries(result).map(([p, { order }]) => {
      const global = result.postmap.order;
      const shared = order.length >= global.length && global.every((n, i) => order[i] === n);
      return `  ${JSON.stringify(p)}: ${shared ? `[...GLOBAL${order.length > global.length ? ', ' + JSON.stringify(order.slice(global.length)).slice(1, -1) : ''}]` : JSON.stringify(order)},`;
    }),
    '};',
    '',
    '/** How each parameter is checked (the first program that reads it). */',
    'export const CHECKS: Readonly<Record<string, ParameterCheck>> = {',
    ...Object.entries(sorted).map(([n, c]) => `  ${JSON.stringify(n)}: ${JSON.stringify(c)},`),
    '};',
    '',
    '/** Checks that differ in a program. */',
    'export const PROGRAM_CHECKS: Readonly<Record<string, Readonly<Record<string, ParameterCheck>>>> = ' + JSON.stringify(overrides) + ';',
    '',
  ];
  return lines.join('\n');
}

async function main() {
  if (process.argv[2] === '--inner') return inner(process.argv[3]);
  if (process.getuid?.() !== 0) die('must run as root (it needs unshare -m -n and bind mounts)');
  const version = askPostconf(['-d', '-h', 'mail_version'], ENV).stdout.trim();
  if (!/^\d+\.\d+/.test(version)) die('postconf -d mail_version failed: is Postfix installed?');
  const work = mkdtempSync(join(tmpdir(), 'parameter-checks-'));
  try {
    for (const d of ['etc', 'spool', 'lib']) mkdirSync(join(work, d));
    const script = innerNamespaceScript(HOSTNAME, MARKER);
    const r = spawnSync(
      'unshare',
      ['-m', '-n', '-u', '--propagation', 'private', 'sh', '-c', script, 'sh', work, process.execPath, fileURLToPath(import.meta.url)],
      {
        env: { ...ENV, ...(process.env.RECORD_DEBUG && { RECORD_DEBUG: '1' }) },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    if (r.status !== 0) die(`the probe failed (status ${r.status})`);
    writeFileSync(OUT, render(version, JSON.parse(r.stdout)));
    process.stderr.write(`record-parameter-checks: wrote ${OUT}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => die(e.stack ?? String(e)));
