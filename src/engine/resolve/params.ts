/*
 * NAME
 *   params - the main.cf values the resolver reads, read once
 * DESCRIPTION
 *   Booleans as Postfix reads them (yes/no, case-insensitive), numbers as
 *   integers, everything else as the expanded string. The compatibility
 *   warning for append_dot_mydomain applies when the level is below 1 and
 *   the parameter is not set (the backwards-compatible default is in force).
 */
import type { ParameterView } from '../config/maincf.ts';
import { compareCompatLevels, isRawParameter } from '../config/names.ts';
import type { ParamName } from '../config/names.ts';

/** A parameter's expanded value ('' when unknown); raw parameters (luser_relay, ...) unexpanded. */
export const str = (p: ParameterView, name: ParamName): string => (isRawParameter(name) ? p.rawOrDefault(name) : p.get(name)) ?? '';

/** get_mail_conf_bool(): yes/no. */
export const bool = (p: ParameterView, name: ParamName): boolean => str(p, name).trim().toLowerCase() === 'yes';

/** get_mail_conf_int(). */
export const int = (p: ParameterView, name: ParamName): number => {
  const n = parseInt(str(p, name), 10);
  return Number.isFinite(n) ? n : 0;
};

/** warnCompatBreak - the backwards-compatible default of `name` is in force below `level`. */
export function warnCompatBreak(p: ParameterView, name: ParamName, level: string): boolean {
  if (p.raw(name) !== undefined) return false;
  const c = compareCompatLevels(p.get('compatibility_level') ?? '0', level);
  return c !== undefined && c < 0;
}
