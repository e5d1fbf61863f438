/*
 * NAME
 *   checks - the parameter values a Postfix program refuses at start-up
 * SYNOPSIS
 *   checkParameters(view, program, { configDirectory?, readFile? })
 *   myoriginOf(view, readFile)
 * DESCRIPTION
 *   Every Postfix program reads its parameters when it starts (postmap and
 *   postalias: the global ones; a daemon: the global ones, then its own),
 *   expanding each `$name`, converting numbers, times and booleans, and
 *   checking bounds; the first value it cannot use is fatal. Which program
 *   reads what, in which order, and with which check comes from the
 *   programs themselves (parameter-checks.generated.ts). checkParameters()
 *   walks that list over a parameter view and returns the warnings and the
 *   fatal error the program would log, in Postfix's words:
 *
 *   - bad `$` syntax: the expander's warning, then "dictionary mail_dict:
 *     macro processing error";
 *   - int and long: strtol() of the whole value ("bad numerical
 *     configuration"), then "invalid NAME parameter value N < MIN";
 *   - time: a number with an optional unit (s, m, h, d, w; the default
 *     unit is the default value's), "bad time value or unit";
 *   - bool: yes or no in any case, "bad boolean configuration";
 *   - strings with a minimum or maximum length;
 *   - and the checks of mail_params_init(): compatibility_level syntax,
 *     inet_protocols, myhostname and mydomain as host names,
 *     mynetworks_style, myorigin from a file (Debian) and without
 *     whitespace or commas, myhostname different from relayhost,
 *     maps that do not name `type:table`.
 *
 *   postconf does not do this (it only expands what it prints), so
 *   `postconf` and `postmap` can disagree about the same main.cf, as in
 *   Postfix.
 * SEE ALSO
 *   postconf(5), mail_params(3)
 */
import type { Diagnostic } from '../trace/types.ts';
import { byteLength, decodeBytes, toBinary } from '../util/bytes.ts';
import { splitList } from '../util/lists.ts';
import { hostnameGripe } from '../mail/valid-hostname.ts';
import { compatLevelFromString } from './expand.ts';
import type { ParameterView } from './maincf.ts';
import { builtinDefault } from './names.ts';
import { CHECKS, PROGRAM_CHECKS, READS } from './parameter-checks.generated.ts';
import type { ParameterCheck } from './parameter-checks.generated.ts';

export { READS as PROGRAM_READS } from './parameter-checks.generated.ts';

/** What a program logs before it gives up on its configuration. */
export interface CheckResult {
  warnings: Diagnostic[];
  fatal?: Diagnostic;
}

export interface CheckOptions {
  /** config_directory as the program names main.cf in messages (postmap -c DIR). Default /etc/postfix. */
  configDirectory?: string;
  /** Reads files (myorigin = /file, Debian). Without it a file is taken to be missing. */
  readFile?: (path: string) => Uint8Array | undefined;
}

/** The programs whose start-up is known, e.g. `postmap`, `smtpd`, `trivial-rewrite`, `cleanup`, `local`, `virtual`, `postscreen`. */
export const CHECKED_PROGRAMS: readonly string[] = Object.keys(READS);

class Fatal {
  constructor(readonly message: string) {}
}

const SPACE = ' \t\n\v\f\r';
const INT_MAX = 2 ** 31 - 1;

/** strtol(value, &end, 10): [number or undefined when out of range, index after the digits (0 when none)]. */
function strtol(value: string): [bigint, number] {
  let i = 0;
  while (i < value.length && SPACE.includes(value[i]!)) i++;
  const start = i;
  if (value[i] === '+' || value[i] === '-') i++;
  const digits = i;
  while (i < value.length && value[i]! >= '0' && value[i]! <= '9') i++;
  if (i === digits) return [0n, 0];
  return [BigInt(value.slice(start, i)), i];
}

function checkNumber(name: string, value: string, check: ParameterCheck): void {
  const [n, end] = strtol(value);
  const limit = check.kind === 'int' ? BigInt(INT_MAX) : 2n ** 63n - 1n;
  if (value === '' || end !== value.length || n > limit || n < -limit - 1n) throw new Fatal(`bad numerical configuration: ${name} = ${value}`);
  if (check.min && n < BigInt(check.min)) throw new Fatal(`invalid ${name} parameter value ${n} < ${check.min}`);
  if (check.max && n > BigInt(check.max)) throw new Fatal(`invalid ${name} parameter value ${n} > ${check.max}`);
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** conv_time(): seconds, or undefined for a bad value or unit (only the first character after the number counts). */
function convTime(value: string, defaultUnit: string): number | undefined {
  const [n, end] = strtol(value);
  if (value === '' || n > BigInt(INT_MAX) || n < 0n) return undefined;
  const unit = end < value.length ? value[end]! : defaultUnit;
  const scale = UNIT_SECONDS[unit];
  if (scale === undefined) return undefined;
  if (scale > 1 && n >= BigInt(Math.floor(INT_MAX / scale))) return undefined;
  return Number(n) * scale;
}

function checkTime(view: ParameterView, name: string, value: string, check: ParameterCheck): void {
  // The default unit is the first letter of the (expanded) default value.
  const def = view.expand(builtinDefault(name) ?? '').value;
  const unit = /[A-Za-z]/.exec(def)?.[0] ?? 's';
  const secs = convTime(value, unit);
  if (secs === undefined) throw new Fatal(`parameter ${name}: bad time value or unit: ${value}`);
  if (check.min && secs < check.min) throw new Fatal(`invalid ${name}: ${secs} (min ${check.min})`);
  if (check.max && secs > check.max) throw new Fatal(`invalid ${name}: ${secs} (max ${check.max})`);
}

function checkString(name: string, value: string, check: ParameterCheck): void {
  const len = byteLength(value);
  const max = check.kind === 'other' ? Number(/^bad string length \d+ > (\d+):/.exec(check.message ?? '')?.[1] ?? 0) : (check.max ?? 0);
  if (check.minLength && len < check.minLength) throw new Fatal(`bad string length ${len} < ${check.minLength}: ${name} = ${value}`);
  if (max && len > max) throw new Fatal(`bad string length ${len} > ${max}: ${name} = ${value}`);
}

/** Checks Postfix's own code makes of some values (mail_params_init and friends), by the message it gave for @bad@. */
function checkOther(value: string, check: ParameterCheck): void {
  const message = check.message ?? '';
  if (message.startsWith('open dictionary: expecting "type:name" form')) {
    // A list of tables: dict_open() refuses an item that is not type:name.
    for (const item of splitList(value)) {
      const colon = item.indexOf(':');
      if (colon <= 0 || colon === item.length - 1) throw new Fatal(`open dictionary: expecting "type:name" form instead of "${item}"`);
    }
  }
}

/** name_mask(): every word must be one of `words`. */
function checkWords(what: string, value: string, words: readonly string[]): void {
  for (const word of splitList(value)) if (!words.includes(word.toLowerCase())) throw new Fatal(`unknown ${what} value "${word}" in "${value}"`);
}

/** myoriginOf - myorigin as Postfix programs use it: Debian's Postfix reads a value starting with `/` from that file (first line, trimmed). */
export function myoriginOf(view: ParameterView, readFile?: (path: string) => Uint8Array | undefined): string {
  const value = view.get('myorigin') ?? '';
  if (!value.startsWith('/')) return value;
  const bytes = readFile?.(value);
  return bytes === undefined ? '' : decodeBytes(bytes).split('\n')[0]!.trim();
}

/**
 * checkParameters - what `program` logs while reading `view` at start-up:
 * warnings, and the fatal error it dies with (none when it starts).
 * An unknown program is checked like postmap (the parameters every program reads).
 */
export function checkParameters(view: ParameterView, program: string, options: CheckOptions = {}): CheckResult {
  const warnings: Diagnostic[] = [];
  const configDirectory = options.configDirectory ?? '/etc/postfix';
  const values = new Map<string, string>();
  const reads = READS[program] ?? READS['postmap']!;
  const programChecks = PROGRAM_CHECKS[program] ?? {};
  const hostname = (name: string): void => {
    const gripe = hostnameGripe(toBinary(values.get(name) ?? ''));
    if (gripe === undefined) return;
    warnings.push({ severity: 'warning', message: gripe });
    throw new Fatal(`file ${configDirectory}/main.cf: parameter ${name}: bad parameter value: ${values.get(name)}`);
  };
  try {
    for (const name of reads) {
      const raw = view.dynamic.rawOrDefault(name);
      if (raw === undefined) continue;
      const expanded = view.expand(raw);
      if (expanded.error) {
        for (const w of expanded.warnings) warnings.push({ severity: 'warning', message: w });
        throw new Fatal('dictionary mail_dict: macro processing error');
      }
      const value = expanded.value;
      values.set(name, value);
      const check = programChecks[name] ?? CHECKS[name];
      switch (check?.kind) {
        case 'int':
        case 'long':
          checkNumber(name, value, check);
          break;
        case 'time':
          checkTime(view, name, value, check);
          break;
        case 'bool':
          if (!/^(yes|no)$/i.test(value)) throw new Fatal(`bad boolean configuration: ${name} = ${value}`);
          break;
        case 'str':
          checkString(name, value, check);
          break;
        case 'other':
          checkString(name, value, check);
          checkOther(value, check);
          break;
      }
      // What mail_params_init() checks once the values it needs are read.
      switch (name) {
        case 'compatibility_level': {
          const level = compatLevelFromString(value);
          if (typeof level === 'string') throw new Fatal(level);
          break;
        }
        case 'respectful_logging':
          checkWords('inet_protocols', values.get('inet_protocols') ?? view.get('inet_protocols') ?? '', ['all', 'ipv4', 'ipv6']);
          break;
        case 'mydomain':
          hostname('myhostname');
          hostname('mydomain');
          break;
        case 'info_log_address_format': {
          const myorigin = values.get('myorigin') ?? '';
          if (myorigin.startsWith('/')) {
            // Debian reads myorigin from the file it names.
            const bytes = options.readFile?.(myorigin);
            if (bytes === undefined) throw new Fatal(`${myorigin}: cannot open file: No such file or directory`);
            const origin = decodeBytes(bytes).split('\n')[0]!.trim();
            if (origin === '') throw new Fatal(`myorigin file ${myorigin} is empty`);
            values.set('myorigin', origin);
          }
          break;
        }
        case 'mynetworks': {
          if (view.raw('mynetworks') === undefined) checkWords('mynetworks mask style', values.get('mynetworks_style') ?? '', ['host', 'subnet', 'class']);
          const host = values.get('myhostname') ?? '';
          if (host.toLowerCase() === (values.get('relayhost') ?? '').toLowerCase())
            throw new Fatal(`myhostname and relayhost parameter settings must not be identical: ${host}`);
          const origin = values.get('myorigin') ?? '';
          if (/[, \t\r\n]/.test(origin)) throw new Fatal(`myorigin parameter setting must not contain multiple values: ${origin}`);
          break;
        }
      }
    }
  } catch (e) {
    if (!(e instanceof Fatal)) throw e;
    return { warnings, fatal: { severity: 'fatal', message: e.message } };
  }
  return { warnings };
}
