/*
 * NAME
 *   cfg-parser - the parameter file of sql-style tables (cfg_parser(3))
 * DESCRIPTION
 *   A map name starting with `/` or `.` is a file in main.cf syntax
 *   (`name = value`, `#` comments, indented continuation lines), read
 *   without `$name` expansion (dict_load_file). Any other name selects the
 *   obsolete main.cf form: parameter `x` is main.cf's `NAME_x`. Getters
 *   check lengths and numbers with Postfix's fatal messages, thrown as
 *   CfgFatal for the driver to turn into an open error.
 * SEE ALSO
 *   sqlite_table(5), mysql_table(5), pgsql_table(5), postconf(5)
 */
import type { Diagnostic } from '../trace/types.ts';
import { readLogicalLines } from '../util/readlline.ts';
import { warning } from './driver.ts';
import { splitNameval } from '../util/split-nameval.ts';
import { byteLength } from '../util/bytes.ts';

/** A fatal configuration error; `message` is Postfix's text. */
export class CfgFatal extends Error {}

/** The parameters of one table (CFG_PARSER). */
export interface CfgParser {
  /** The map name, as Postfix names the parser in its messages. */
  readonly name: string;
  /** Warnings logged while reading the file. */
  readonly diagnostics: readonly Diagnostic[];
  /** cfg_get_str(): the value, `defval` when unset; null when both are empty and `defval` is null. */
  getStr(param: string, defval: string | null, min: number, max: number): string | null;
  /** cfg_get_int(). */
  getInt(param: string, defval: number, min: number, max: number): number;
}

/**
 * parseParameterFile - dict_load_fp(): the parameters of a main.cf-syntax
 * file, with the line of each one's last definition; a line that is not
 * `name = value` is fatal, as in Postfix.
 */
export function parseParameterFile(
  text: string,
  path: string,
): { params: Map<string, string>; lines: Map<string, number>; diagnostics: Diagnostic[] } | { error: string } {
  const diagnostics: Diagnostic[] = [];
  const params = new Map<string, string>();
  const lines = new Map<string, number>();
  for (const { text: line, line: n } of readLogicalLines(text, path, diagnostics)) {
    const nv = splitNameval(line);
    if (typeof nv === 'string') return { error: `${path}, line ${n}: ${nv}: "${line}"` };
    const [name, value] = nv;
    const old = params.get(name);
    if (old !== undefined && old !== value) diagnostics.push(warning(`${path}, line ${n}: overriding earlier entry: ${name}=${old}`, path, n));
    params.set(name, value);
    lines.set(name, n);
  }
  return { params, lines, diagnostics };
}

function checkLength(prefix: string, param: string, value: string, min: number, max: number): void {
  const len = byteLength(value);
  if (min && len < min) throw new CfgFatal(`${prefix}bad string length ${len} < ${min}: ${param} = ${value}`);
  if (max && len > max) throw new CfgFatal(`${prefix}bad string length ${len} > ${max}: ${param} = ${value}`);
}

function toInt(prefix: string, param: string, text: string | undefined, defval: number, min: number, max: number): number {
  let value = defval;
  if (text !== undefined) {
    // strtol(): leading blanks and a sign allowed, the whole rest must be digits, must fit an int.
    const m = /^[ \t\n\r\v\f]*([+-]?[0-9]+)$/.exec(text);
    const n = m ? Number(m[1]) : NaN;
    if (!m || n > 2147483647 || n < -2147483648) throw new CfgFatal(`${prefix}bad numerical configuration: ${param} = ${text}`);
    value = n;
  }
  if (min && value < min) throw new CfgFatal(`${prefix}invalid ${param} parameter value ${value} < ${min}`);
  if (max && value > max) throw new CfgFatal(`${prefix}invalid ${param} parameter value ${value} > ${max}`);
  return value;
}

/** cfgParserFromFile - the parser of a parameter file already read. */
export function cfgParserFromFile(name: string, params: Map<string, string>, diagnostics: Diagnostic[]): CfgParser {
  return {
    name,
    diagnostics,
    getStr(param, defval, min, max) {
      const value = params.get(param) ?? defval ?? '';
      checkLength(`${name}: `, param, value, min, max);
      return defval === null && value === '' ? null : value;
    },
    getInt(param, defval, min, max) {
      return toInt(`${name}: `, param, params.get(param), defval, min, max);
    },
  };
}

/** cfgParserFromMainCf - the obsolete form: parameter `x` of table NAME is main.cf's `NAME_x`. */
export function cfgParserFromMainCf(name: string, mainCf: (param: string) => string | undefined): CfgParser {
  return {
    name,
    diagnostics: [],
    getStr(param, defval, min, max) {
      const full = `${name}_${param}`;
      const value = mainCf(full) ?? defval ?? '';
      checkLength('', full, value, min, max);
      return defval === null && value === '' ? null : value;
    },
    getInt(param, defval, min, max) {
      const full = `${name}_${param}`;
      return toInt('', full, mainCf(full), defval, min, max);
    },
  };
}
