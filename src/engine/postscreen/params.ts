/*
 * NAME
 *   postscreen/params - postscreen's parameters, read as postscreen reads them
 * DESCRIPTION
 *   postscreen(8) reads its parameters in tables (strings, integers,
 *   "nint"s, times, booleans, raw strings, "nbool"s) before it opens any
 *   table. What it refuses there (a bad number, time, boolean or length,
 *   with Postfix's fatal message) is checked first, for every program
 *   alike, by config/checks.ts; this reader converts values already
 *   checked, as Postfix does.
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

/** A parameter reader converting values as postscreen does (config/checks.ts has refused bad ones). */
export class ParamReader {
  constructor(private readonly params: ParameterView) {}

  private value(name: ParamName): string {
    return this.params.get(name) ?? '';
  }

  /** get_mail_conf_str. */
  str(name: ParamName): string {
    return this.value(name);
  }

  /** get_mail_conf_raw: the value without $name expansion. */
  raw(name: ParamName): string {
    return this.params.rawOrDefault(name) ?? '';
  }

  /** get_mail_conf_int / _nint: strtol of the whole value. */
  int(name: ParamName): number {
    const v = this.value(name);
    return /^\s*[+-]?\d+$/.test(v) ? Number(v) : 0;
  }

  /** get_mail_conf_time: seconds. */
  time(name: ParamName): number {
    return convTime(this.value(name), defaultUnit(name)) ?? 0;
  }

  /** get_mail_conf_bool / _nbool: yes or no, in any case. */
  bool(name: ParamName): boolean {
    return /^yes$/i.test(this.value(name));
  }

  /** The value is what it would be with no main.cf setting (for notices about what is not simulated). */
  isDefault(name: ParamName): boolean {
    return this.params.raw(name) === undefined;
  }
}
