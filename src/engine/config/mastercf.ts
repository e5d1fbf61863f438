/*
 * NAME
 *   mastercf - master.cf service definitions and per-service overrides
 * SYNOPSIS
 *   parseMasterCf(text, path)
 * DESCRIPTION
 *   master.cf is read as postconf reads it (postconf_master.c): logical
 *   lines as in main.cf (comments, indented continuation lines), each split
 *   on whitespace with `{ ... }` grouping into at least 8 fields: service,
 *   type (inet, unix, unix-dgram, fifo, pass), private, unpriv, chroot
 *   (y, n or -), wakeup (-, digits, optional trailing ?), maxproc
 *   (- or digits), command and its arguments. Daemon options are
 *   normalised: `-ozz` becomes `-o zz`, `-o { name = value }` becomes
 *   `-o name=value`, `{ text }` arguments lose their braces. A short line
 *   or a bad field is fatal with Postfix's message.
 *
 *   Each `-o name=value` overrides main.cf for that service only (the last
 *   one of a name wins). The `-` chroot default depends on
 *   compatibility_level: y below level 1, n from level 1 on (master(8)
 *   logs "using backwards-compatible default setting chroot=y").
 * SEE ALSO
 *   master(5), postconf(1)
 */
import type { Diagnostic } from '../trace/types.ts';
import { readLogicalLines } from '../util/readlline.ts';
import { splitNameval } from '../util/split-nameval.ts';
import { splitList, stripBraces } from '../util/lists.ts';
import { compareCompatLevels } from './names.ts';

/** One master.cf service line, normalised as postconf shows it. */
export interface MasterService {
  /** Service name (field 1). */
  service: string;
  /** Transport type (field 2). */
  type: string;
  /** The 8 fields and the command arguments, normalised (postconf -M prints these). */
  argv: readonly string[];
  /** `-o` overrides in file order, later ones replacing earlier ones. */
  overrides: ReadonlyMap<string, string>;
  /** The physical line the entry starts on. */
  line: number;
}

/** A parsed master.cf. */
export interface MasterCf {
  /** The file, as named in messages. */
  path: string;
  services: readonly MasterService[];
  /** Warnings postconf gives while reading the file. */
  diagnostics: readonly Diagnostic[];
  /** The fatal error Postfix gives for this file, if any (parsing stops there). */
  error?: Diagnostic;
}

const BLANKS = ' \t\r\n';
const TYPES = ['unix', 'fifo', 'inet', 'pass', 'unix-dgram'];
const BOOL_FIELDS = ['private', 'unprivileged', 'chroot'];
/** File name postconf uses in master.cf warnings (MASTER_CONF_FILE). */
const MASTER_CONF_FILE = 'master.cf';

/** checkEntry - pcf_check_master_entry(): the fatal message, if any. */
function checkEntry(argv: string[], raw: string): string | undefined {
  const oneLine = (s: string): string => s.replace(/\n/g, ' ');
  if (!TYPES.includes(argv[1]!)) return oneLine(`invalid type field "${argv[1]}" in "${raw}"`);
  for (let f = 2; f <= 4; f++) {
    const v = argv[f]!;
    if (v.length !== 1 || !'yn-'.includes(v)) return oneLine(`invalid ${BOOL_FIELDS[f - 2]} field "${v}" in "${raw}"`);
  }
  const wakeup = argv[5]!;
  const w = wakeup.endsWith('?') ? wakeup.slice(0, -1) : wakeup;
  if (!(wakeup[0] === '-' && w.length === 1) && !/^[0-9]*$/.test(w)) return oneLine(`invalid wakeup field "${wakeup}" in "${raw}"`);
  if (argv[6] !== '-' && !/^[0-9]*$/.test(argv[6]!)) return oneLine(`invalid process_limit field "${argv[6]}" in "${raw}"`);
  return undefined;
}

/** extract - pcf_extract_field(): text inside `{}`, trimmed; warns as postconf does. */
function extract(arg: string, diagnostics: Diagnostic[], path: string, line: number): string {
  const r = stripBraces(arg);
  if ('text' in r) return r.text;
  diagnostics.push({ severity: 'warning', message: `${MASTER_CONF_FILE}: ${r.error}`, file: path, line });
  const inner = arg.slice(1);
  return inner.endsWith('}') ? inner.slice(0, -1).trim() : inner.trim();
}

/** normalizeArgs - pcf_normalize_daemon_args() on fields 8 and up. */
function normalizeArgs(argv: string[], diagnostics: Diagnostic[], path: string, line: number): void {
  let field = 8;
  for (; field < argv.length; field++) {
    let arg = argv[field]!;
    if (arg[0] !== '-' || arg === '--') break;
    const o = arg.indexOf('o', 2);
    if (o > 1) {
      argv.splice(field + 1, 0, '-' + arg.slice(o));
      arg = argv[field] = arg.slice(0, o);
    }
    if (arg[1] !== 'o') continue;
    let extractField = false;
    if (arg.length > 2) {
      argv.splice(field + 1, 0, arg.slice(2));
      argv[field] = '-o';
      field++;
      extractField = argv[field]![0] === '{';
    } else if (field + 1 < argv.length) {
      field++;
      extractField = argv[field]![0] === '{';
    }
    if (extractField) {
      argv[field] = extract(argv[field]!, diagnostics, path, line);
      const nv = splitNameval(argv[field]!);
      if (typeof nv === 'string') diagnostics.push({ severity: 'warning', message: `${MASTER_CONF_FILE}: ${nv}: "${argv[field]}"`, file: path, line });
      else argv[field] = `${nv[0]}=${nv[1]}`;
    }
  }
  for (; field < argv.length; field++) if (argv[field]![0] === '{') argv[field] = extract(argv[field]!, diagnostics, path, line);
}

/** overridesOf - the `-o name=value` settings among the daemon options. */
function overridesOf(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let f = 8; f < argv.length; f++) {
    const arg = argv[f]!;
    if (arg[0] !== '-' || arg === '--') break;
    if (arg[1] !== 'o' || f + 1 >= argv.length) continue;
    const nv = splitNameval(argv[f + 1]!);
    if (typeof nv !== 'string') out.set(nv[0], nv[1]);
    f++;
  }
  return out;
}

/** parseMasterCf - parse master.cf text as postconf does. */
export function parseMasterCf(text: string, path = '/etc/postfix/master.cf'): MasterCf {
  const diagnostics: Diagnostic[] = [];
  const services: MasterService[] = [];
  for (const { text: raw, line } of readLogicalLines(text, path, diagnostics)) {
    const argv = splitList(raw, BLANKS);
    if (argv.length < 8)
      return { path, services, diagnostics, error: { severity: 'fatal', message: `file ${path}: line ${line}: bad field count`, file: path, line } };
    const bad = checkEntry(argv, raw);
    if (bad) return { path, services, diagnostics, error: { severity: 'fatal', message: bad, file: path, line } };
    normalizeArgs(argv, diagnostics, path, line);
    services.push({ service: argv[0]!, type: argv[1]!, argv, overrides: overridesOf(argv), line });
  }
  return { path, services, diagnostics };
}

/** findService - the entry for `service/type` (the last one when defined twice, as master(8) keeps). */
export function findService(master: MasterCf, service: string, type: string): MasterService | undefined {
  let found: MasterService | undefined;
  for (const s of master.services) if (s.service === service && s.type === type) found = s;
  return found;
}

/** effectiveChroot - the chroot field with `-` resolved for a compatibility_level, and the notice master(8) logs. */
export function effectiveChroot(entry: MasterService, compatibilityLevel: string): { chroot: boolean; notice?: string } {
  const field = entry.argv[4]!;
  if (field !== '-') return { chroot: field === 'y' };
  const below1 = (compareCompatLevels(compatibilityLevel, '1') ?? 0) < 0;
  return below1 ? { chroot: true, notice: `using backwards-compatible default setting chroot=y` } : { chroot: false };
}
