/*
 * NAME
 *   test - check a configuration against its expectation files (TAP)
 * SYNOPSIS
 *   postfix-sim test [-c] config_dir [--dns FILE] [--facts FILE] [file.expect...]
 * DESCRIPTION
 *   Runs every expectation file of the configuration directory
 *   (config_dir/*.expect and config_dir/tests/*.expect, in name order), or
 *   the files named, against the simulator: each session is played, each
 *   address resolved as sendmail -bv, each lookup made as postmap -q. The
 *   report is TAP: `ok N - file:line what` or `not ok N - ...` followed by
 *   a YAML block with what was expected and what happened.
 *
 *   config_dir stands for /etc/postfix as with the other commands. DNS
 *   facts come from config_dir/dns, policy and verify facts from
 *   config_dir/facts, local accounts from config_dir/passwd, each when
 *   present (--dns and --facts name others). A `NAME.sql` whose NAME is
 *   absent is the SQLite database it builds, as in the scenario library.
 *
 *   Exit status: 0 when every expectation holds, 1 when one fails (or a
 *   file has a bad line, or there is nothing to test), 2 on usage errors.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { checkExpectations, isExpectFile, parseExpectations, scenarioOpener } from '../engine/index.ts';
import type { CheckResult, Diagnostic, Host } from '../engine/index.ts';
import { createNodeHost, withSqlScripts } from './node-host.ts';
import type { CommandOutput } from './postmap.ts';
import { formatDiagnostic } from './report.ts';

const USAGE = 'usage: postfix-sim test [-c] config_dir [--dns FILE] [--facts FILE] [file.expect...]';

/** The expectation files of a configuration directory, relative to it, in name order. */
export function expectationFiles(dir: string): string[] {
  const list = (sub: string): string[] => {
    const d = join(dir, sub);
    if (!existsSync(d) || !statSync(d).isDirectory()) return [];
    return readdirSync(d)
      .map((f) => (sub ? `${sub}/${f}` : f))
      .filter((f) => isExpectFile(f) && statSync(join(dir, f)).isFile())
      .sort();
  };
  return [...list(''), ...list('tests')];
}

/** A YAML value for a TAP diagnostic block: a JSON string, or a literal block for several lines. */
function yaml(key: string, value: string): string {
  if (!value.includes('\n')) return `  ${key}: ${JSON.stringify(value)}\n`;
  return `  ${key}: |-\n${value
    .split('\n')
    .map((l) => `    ${l}\n`)
    .join('')}`;
}

/** tap - the TAP report of every result, numbered in order. */
export function tap(results: readonly CheckResult[], notes: readonly string[] = []): string {
  let out = 'TAP version 13\n';
  for (const n of notes) out += `# ${n}\n`;
  results.forEach((r, i) => {
    const where = `${r.file}:${r.line}`;
    out += `${r.pass ? 'ok' : 'not ok'} ${i + 1} - ${where} ${r.name.replace(/#/g, '\\#')}\n`;
    if (!r.pass) out += '  ---\n' + yaml('expected', r.expected) + yaml('got', r.got) + yaml('at', where) + '  ...\n';
  });
  out += `1..${results.length}\n`;
  const failed = results.filter((r) => !r.pass).length;
  out += `# ${results.length - failed} passed, ${failed} failed\n`;
  return out;
}

/** runTest - one `postfix-sim test` command line; never throws for bad input. */
export async function runTest(argv: readonly string[], io: { host?: Host } = {}): Promise<CommandOutput> {
  const usage = (why: string): CommandOutput => ({ stdout: '', stderr: `postfix-sim test: ${why}\n${USAGE}\n`, status: 2 });
  let dir: string | undefined;
  let dnsFile: string | undefined;
  let factsFile: string | undefined;
  const named: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-c' || a === '--dns' || a === '--facts') {
      const v = argv[++i];
      if (v === undefined || v === '') return usage(`option ${a} needs a value`);
      if (a === '-c') dir = v;
      else if (a === '--dns') dnsFile = v;
      else factsFile = v;
    } else if (a.startsWith('-') && a !== '-') return usage(`unknown option ${a}`);
    else if (dir === undefined) dir = a;
    else named.push(a);
  }
  if (dir === undefined) return usage('no configuration directory given');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return usage(`${dir}: not a directory`);

  // The files to run: as named (relative to here, else to the directory), or all of the directory's.
  const files: { path: string; name: string }[] = [];
  for (const f of named) {
    const path = existsSync(f) ? f : join(dir, f);
    if (!existsSync(path)) return { stdout: '', stderr: `postfix-sim test: ${f}: No such file or directory\n`, status: 1 };
    files.push({ path, name: relative(dir, path).startsWith('..') ? basename(path) : relative(dir, path) });
  }
  if (named.length === 0) files.push(...expectationFiles(dir).map((name) => ({ path: join(dir, name), name })));
  if (files.length === 0) return { stdout: '', stderr: `postfix-sim test: no *.expect files in ${dir} or ${join(dir, 'tests')}\n`, status: 1 };

  const host = io.host ?? (await withSqlScripts(createNodeHost({ configDirectory: dir }), dir));
  const open = scenarioOpener({ host, ...(dnsFile !== undefined && { dnsPath: dnsFile }), ...(factsFile !== undefined && { factsPath: factsFile }) });

  const notes: string[] = [];
  let stderr = '';
  const seen = new Set<string>();
  const warn = (d: Diagnostic, program: string): void => {
    const line = formatDiagnostic(d, program, dir).trimEnd();
    if (!seen.has(line)) notes.push(line);
    seen.add(line);
  };
  const results: CheckResult[] = [];
  for (const f of files) {
    const parsed = parseExpectations(readFileSync(f.path, 'utf8'), f.name);
    for (const d of parsed.diagnostics) if (d.severity === 'warning') notes.push(`${f.name}:${d.line}: warning: ${d.message}`);
    results.push(...(await checkExpectations(parsed, open)));
  }
  // What the configuration's files say about themselves, once (the daemons would log it).
  const scenario = await open('smtp');
  for (const d of scenario.diagnostics) if (d.severity !== 'info') warn(d, 'postfix-sim');
  if (scenario.fatal) stderr += formatDiagnostic(scenario.fatal, 'postfix-sim test', dir);
  const failed = results.some((r) => !r.pass);
  return { stdout: tap(results, notes), stderr, status: failed ? 1 : 0 };
}
