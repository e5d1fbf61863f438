/*
 * NAME
 *   postscreen/params - postscreen's parameters, read as postscreen reads them
 * DESCRIPTION
 *   postscreen(8) reads its parameters in tables (strings, integers,
 *   "nint"s, times, booleans, raw strings, "nbool"s) before it opens any
 *   table, each with Postfix's conversion and its fatal message for a bad
 *   value: `bad numerical configuration: NAME = VALUE`, `invalid NAME
 *   parameter value N < MIN`, `parameter NAME: bad time value or unit:
 *   VALUE`, `invalid NAME: N (min MIN)`, `bad boolean configuration: NAME =
 *   VALUE`, `bad string length N < MIN: NAME = VALUE`. The first fatal
 *   error is what postscreen dies with.
 *
 *   Time values are a number with an optional unit (s, m, h, d, w); without
 *   one, the unit of the parameter's default applies (postscreen_greet_ttl
 *   = 2 means two days).
 * SEE ALSO
 *   postconf(5), Postfix src/global/mail_conf_{int,time,bool,str}.c, conv_time.c
 */
import type { ParameterView } from '../config/maincf.ts';
import { builtinDefault, DEFAULT_FACTS } from '../config/names.ts';
import type { ParamName } from '../config/names.ts';

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const INT_MAX = 2 ** 31 - 1;

/** convTime - conv_time(): seconds, or undefined for a bad value. */
export function convTime(value: string, defaultUnit: string): number | undefined {
  const m = /^\s*([+-]?\d+)(.?)/.exec(value);
  if (!m || value.trim() === '') return undefined;
  const n = Number(m[1]);
  if (n < 0 || n > INT_MAX) return undefined;
  const unit = UNITS[m[2] || defaultUnit];
  if (unit === undefined) return undefined;
  if (unit > 1 && n >= Math.floor(INT_MAX / unit)) return undefined;
  return n * unit;
}

/** The unit of a time parameter's default: the first letter in its (expanded) default value. */
function defaultUnit(name: string): string {
  const def = builtinDefault(name, DEFAULT_FACTS) ?? 's';
  // `${stress?{2}:{6}}s` and `${postscreen_dnsbl_ttl?{...}:{1}}h`: the unit follows the expression.
  const plain = def.replace(/\$\{[^}]*\{[^}]*\}(:\{[^}]*\})?\}/g, '1');
  return /[a-z]/i.exec(plain)?.[0] ?? 's';
}

/** A parameter reader that remembers the first fatal error, as postscreen would die with it. */
export class ParamReader {
  fatal: string | undefined;

  constructor(private readonly params: ParameterView) {}

  private value(name: ParamName): string {
    return this.params.get(name) ?? '';
  }

  private die(message: string): void {
    this.fatal ??= message;
  }

  /** get_mail_conf_str with a minimum length. */
  str(name: ParamName, min = 0): string {
    const v = this.value(name);
    if (min && v.length < min) this.die(`bad string length ${v.length} < ${min}: ${name} = ${v}`);
    return v;
  }

  /** get_mail_conf_raw: the value without $name expansion. */
  raw(name: ParamName): string {
    return this.params.rawOrDefault(name) ?? '';
  }

  /** get_mail_conf_int / _nint: strtol of the whole value, then the minimum. */
  int(name: ParamName, min = 0): number {
    const v = this.value(name);
    if (!/^\s*[+-]?\d+$/.test(v) || Math.abs(Number(v)) > INT_MAX) {
      this.die(`bad numerical configuration: ${name} = ${v}`);
      return 0;
    }
    const n = Number(v);
    if (min && n < min) this.die(`invalid ${name} parameter value ${n} < ${min}`);
    return n;
  }

  /** get_mail_conf_time: seconds, then the minimum. */
  time(name: ParamName, min = 0): number {
    const v = this.value(name);
    const n = convTime(v, defaultUnit(name));
    if (n === undefined) {
      this.die(`parameter ${name}: bad time value or unit: ${v}`);
      return 0;
    }
    if (min && n < min) this.die(`invalid ${name}: ${n} (min ${min})`);
    return n;
  }

  /** get_mail_conf_bool / _nbool: yes or no, in any case. */
  bool(name: ParamName): boolean {
    const v = this.value(name);
    if (/^yes$/i.test(v)) return true;
    if (/^no$/i.test(v)) return false;
    this.die(`bad boolean configuration: ${name} = ${v}`);
    return false;
  }

  /** The value is what it would be with no main.cf setting (for notices about what is not simulated). */
  isDefault(name: ParamName): boolean {
    return this.params.raw(name) === undefined;
  }
}
