/*
 * NAME
 *   maincf - main.cf: parameters, defaults and $name expansion
 * DESCRIPTION
 *   main.cf is read like any Postfix parameter file (`name = value`,
 *   comments, indented continuation lines; a malformed line is fatal).
 *   get() expands `$name`, `${name}` and `$(name)`, and the conditional
 *   forms `${name?value}` and `${name:value}` (also with `{value}`), and
 *   falls back to the built-in default.
 * SEE ALSO
 *   postconf(5)
 */
import type { Diagnostic } from '../trace/types.ts';
import { parseParameterFile } from '../tables/shared/cfg-parser.ts';
import { PARAMETER_DEFAULTS, parseCompatibilityLevel } from './names.ts';

/** A loaded main.cf. */
export interface MainCf {
  /** The value with `$name` expanded; the default when the file does not set it. */
  get(name: string): string | undefined;
  /** The value as written, unexpanded, or undefined when the file does not set it. */
  raw(name: string): string | undefined;
  readonly diagnostics: readonly Diagnostic[];
  /** The fatal error Postfix gives for this file, if any. */
  readonly error?: Diagnostic;
}

const MAX_DEPTH = 100;

/** loadMainCf - parse main.cf text; undefined text reads as an empty file. */
export function loadMainCf(text: string | undefined, path = '/etc/postfix/main.cf'): MainCf {
  const parsed = parseParameterFile(text ?? '', path);
  const params = 'error' in parsed ? new Map<string, string>() : parsed.params;
  const diagnostics = 'error' in parsed ? [] : parsed.diagnostics;
  const level = (): number[] => parseCompatibilityLevel(lookup('compatibility_level', 0) ?? '0');

  function rawOrDefault(name: string): string | undefined {
    const v = params.get(name);
    if (v !== undefined) return v;
    const d = PARAMETER_DEFAULTS[name];
    return typeof d === 'function' ? d(level()) : d;
  }
  function lookup(name: string, depth: number): string | undefined {
    const v = rawOrDefault(name);
    return v === undefined ? undefined : expand(v, depth + 1);
  }
  function expand(value: string, depth: number): string {
    if (depth > MAX_DEPTH || !value.includes('$')) return value;
    let out = '';
    for (let i = 0; i < value.length; ) {
      const c = value[i]!;
      if (c !== '$') {
        out += c;
        i++;
        continue;
      }
      const next = value[i + 1];
      if (next === '$') {
        out += '$';
        i += 2;
      } else if (next === '{' || next === '(') {
        const close = next === '{' ? '}' : ')';
        const end = matching(value, i + 1, next, close);
        if (end < 0) {
          out += value.slice(i);
          break;
        }
        out += expandGroup(value.slice(i + 2, end), depth);
        i = end + 1;
      } else {
        const m = /^[A-Za-z0-9_]+/.exec(value.slice(i + 1));
        if (!m) {
          out += '$';
          i++;
          continue;
        }
        out += lookup(m[0], depth) ?? '';
        i += 1 + m[0].length;
      }
    }
    return out;
  }
  // `name`, `name?text`, `name:text`, with text optionally in braces.
  function expandGroup(inner: string, depth: number): string {
    const m = /^([A-Za-z0-9_]+)(?:([?:])(.*))?$/s.exec(inner);
    if (!m) return '';
    const [, name, op, rest] = m;
    const v = lookup(name!, depth);
    if (!op) return v ?? '';
    const text = /^\{.*\}$/s.test(rest!) ? rest!.slice(1, -1) : rest!;
    const set = v !== undefined && v !== '';
    return (op === '?') === set ? expand(text, depth + 1) : '';
  }
  return {
    get: (name) => lookup(name, 0),
    raw: (name) => params.get(name),
    diagnostics,
    ...('error' in parsed && { error: { severity: 'fatal' as const, message: parsed.error, file: path } }),
  };
}

/** Index of the bracket closing the one at `open`, or -1. */
function matching(s: string, open: number, o: string, c: string): number {
  let level = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === o) level++;
    else if (s[i] === c && --level === 0) return i;
  }
  return -1;
}
