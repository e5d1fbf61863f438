/*
 * NAME
 *   postconf - the parameter table and output of postconf(1)
 * SYNOPSIS
 *   postconfShow(request)
 * DESCRIPTION
 *   Models what postconf does for -n, -d, -x, -h, -H, -f, -M and -P
 *   (postconf.c, postconf_user.c, postconf_unused.c, postconf_print.c,
 *   postconf_master.c): it reads main.cf (not with -d) and master.cf, builds
 *   its table of known parameters (built-in, legacy, per-service names
 *   derived from master.cf services, and user-defined names that some
 *   value refers to as $name and that have a name=value), prints, and warns
 *   about "undefined parameter" ($name without any definition) and "unused
 *   parameter" (name=value nobody knows). Postfix prints those warnings in
 *   hash-table order, which it randomises per run; here they follow file
 *   order.
 * SEE ALSO
 *   postconf(1), postconf(5), master(5)
 */
import { macExpand } from './expand.ts';
import { loadMainCf } from './maincf.ts';
import type { MainCf } from './maincf.ts';
import { parseMasterCf } from './mastercf.ts';
import type { MasterCf, MasterService } from './mastercf.ts';
import { splitList } from '../util/lists.ts';
import {
  DEFAULT_FACTS,
  READONLY_PARAMETERS,
  builtinDefault,
  builtinParameterNames,
  byteOrder,
  isBuiltinParameter,
  isRawParameter,
  legacyParameters,
  serviceParameters,
} from './names.ts';
import type { MachineFacts } from './names.ts';
import type { Diagnostic } from '../trace/types.ts';
import { compatLevelFromString } from './expand.ts';

/** What to show, as postconf's options say. */
export interface PostconfRequest {
  /** -d: defaults; -n: only main.cf settings; -x: expand; -h: no names; -H: only names; -f: fold. */
  defaults?: boolean;
  nondefault?: boolean;
  expand?: boolean;
  hideName?: boolean;
  hideValue?: boolean;
  fold?: boolean;
  /** -M: master.cf entries; -P: master.cf -o parameters. */
  masterEntries?: boolean;
  masterParams?: boolean;
  names: readonly string[];
  /** config_directory as postconf names files in messages ("/etc/postfix" or the -c argument). */
  configDirectory: string;
  /** true when -c was given: config_directory is then a main.cf setting. */
  configDirectoryFromOption?: boolean;
  readFile(path: string): string | undefined;
  facts?: MachineFacts;
}

/** postconf's output: stdout, the diagnostics it logs (without "postconf: "), and exit status. */
export interface PostconfOutput {
  stdout: string;
  messages: string[];
  status: number;
  /** The "unused parameter" warnings among `messages`, as data. */
  unused: UnusedParameter[];
}

/** A parameter set in main.cf or master.cf that no Postfix program uses. */
export interface UnusedParameter {
  /** The file postconf names, e.g. /etc/postfix/main.cf. */
  file: string;
  name: string;
  value: string;
}

type ParamClass = 'builtin' | 'legacy' | 'service' | 'user';
interface Node {
  cls: ParamClass;
  def: string;
}
interface Entry {
  service: MasterService;
  valid: Set<string>;
  params: Map<string, string>;
}

class Fatal extends Error {}
const LINE_LIMIT = 80;
const INDENT = '    ';
const SEPARATORS = /[ \t\r\n]+/;

/** printLine - pcf_print_line(): whitespace normalised, optionally folded. */
export function printLine(text: string, fold: boolean): string {
  let out = '';
  let len = 0;
  for (const word of text.split(SEPARATORS)) {
    if (word === '') continue;
    if (len > 0) {
      if (!fold || len + word.length < LINE_LIMIT) {
        out += ' ';
        len += 1;
      } else {
        out += '\n' + INDENT;
        len = INDENT.length;
      }
    }
    out += word;
    len += word.length;
  }
  return out + '\n';
}

/** printMasterEntry - pcf_print_master_entry(). `expand` expands -o values. */
export function printMasterEntry(argv: readonly string[], fold: boolean, expand?: (value: string) => string): string {
  const goals = [0, 11, 17, 25, 33, 41, 49, 57];
  let out = '';
  let len = 0;
  const add = (t: string): void => {
    out += t;
    len += t.length;
  };
  for (let f = 0; f < 8; f++) {
    if (len > 0)
      do add(' ');
      while (len < goals[f]!);
    add(argv[f]!);
  }
  let inOptions = true;
  for (let f = 8; f < argv.length; f++) {
    const arg = argv[f]!;
    let argLen = arg.length;
    let aval: string | undefined;
    let parens = false;
    if (inOptions) {
      if (arg[0] !== '-' || arg === '--') inOptions = false;
      else if (arg[1] === 'o' && f + 1 < argv.length) {
        len = LINE_LIMIT;
        aval = argv[f + 1]!;
        if (arg === '-o' && expand) aval = expand(aval);
        argLen += aval.length + 3;
        parens = /[ \t\r\n]/.test(aval);
        if (parens) argLen += 2;
      }
    }
    if (!inOptions) parens = /[ \t\r\n]/.test(arg);
    if (len > INDENT.length) {
      if (!fold || len + 1 + argLen < LINE_LIMIT) add(' ');
      else {
        out += '\n' + INDENT;
        len = INDENT.length;
      }
    }
    add(!inOptions && parens ? `{${arg}}` : arg);
    if (aval !== undefined) {
      add(' ');
      add(parens ? `{${aval}}` : aval);
      f++;
      len = LINE_LIMIT;
    }
  }
  return out + '\n';
}

/** postconfShow - run one postconf display request; never throws. */
export function postconfShow(req: PostconfRequest): PostconfOutput {
  const messages: string[] = [];
  const unused: UnusedParameter[] = [];
  let stdout = '';
  const warn = (m: string): void => void messages.push(`warning: ${m}`);
  const warnUnused = (file: string, name: string, value: string): void => {
    unused.push({ file, name, value });
    warn(`${file}: unused parameter: ${name}=${value}`);
  };
  const fatal = (m: string): never => {
    messages.push(`fatal: ${m}`);
    throw new Fatal(m);
  };
  const facts = req.facts ?? DEFAULT_FACTS;
  const dir = req.configDirectory;
  const masterMode = req.masterEntries || req.masterParams;
  try {
    // master.cf: read first, and required, for -M and -P (pcf_read_master).
    let master: MasterCf = { path: `${dir}/master.cf`, services: [], diagnostics: [] };
    const readMaster = (): void => {
      const masterText = req.readFile(`${dir}/master.cf`);
      if (masterText === undefined) {
        if (masterMode) fatal(`open ${dir}/master.cf: No such file or directory`);
        warn(`open ${dir}/master.cf: No such file or directory`);
      } else {
        master = parseMasterCf(masterText, `${dir}/master.cf`);
        master.diagnostics.forEach((d) => warn(d.message));
        if (master.error) fatal(master.error.message);
      }
    };
    if (masterMode) readMaster();
    // main.cf (not for -d).
    let main: MainCf = loadMainCf('', `${dir}/main.cf`, facts);
    if (!req.defaults || masterMode) {
      const text = req.readFile(`${dir}/main.cf`);
      if (text === undefined) fatal(`open ${dir}/main.cf: No such file or directory`);
      const withDir = req.configDirectoryFromOption && !/^config_directory[ \t]*=/m.test(text!) ? `config_directory = ${dir}\n${text}` : text;
      main = loadMainCf(withDir, `${dir}/main.cf`, facts);
      main.diagnostics.forEach((d) => warn(d.message));
      if (main.error) fatal(main.error.message.replace(/, line (\d+)/, (_, n) => `, line ${Number(n) - (withDir !== text ? 1 : 0)}`));
    }
    const params = new Map(main.params);
    if (!masterMode) readMaster();
    // The parameter table.
    const table = new Map<string, Node>();
    for (const name of builtinParameterNames()) table.set(name, { cls: 'builtin', def: builtinDefault(name, facts) ?? '' });
    for (const name of legacyParameters()) table.set(name, { cls: 'legacy', def: '' });
    const entries: Entry[] = master.services.map((service) => ({ service, valid: new Set(), params: new Map(service.overrides) }));
    for (const { service } of entries)
      for (const [name, def] of serviceParameters(service.argv[0]!, service.argv[7]!.replace(/^.*\//, '')))
        if (table.has(name)) table.get(name)!.cls = 'service';
        else table.set(name, { cls: 'service', def });

    let derivingMydomain = false;
    // lookupValue - pcf_lookup_parameter_value().
    const lookupValue = (name: string, defaults: boolean, nondef: boolean, local?: Entry): string | undefined => {
      let value: string | undefined;
      if (!defaults) {
        if (local) {
          if (name === 'process_name') value = local.service.argv[7]!.replace(/^.*\//, '');
          else if (name === 'service_name') value = local.service.argv[0];
          value ??= local.params.get(name);
        }
        value ??= params.get(name);
        if (value !== undefined || nondef) return value;
      }
      const node = table.get(name);
      if (!node) return undefined;
      if (name === 'mynetworks')
        return builtinDefault(name, facts, expandValue(lookupValue('mynetworks_style', defaults, false, local) ?? '', defaults, local));
      // myhostname and mydomain follow main.cf (check_myhostname, check_mydomainname); -d shows the machine's.
      if (!defaults && name === 'myhostname') {
        const domain = params.get('mydomain');
        return builtinDefault(name, facts, undefined, { mydomain: () => (domain === undefined ? undefined : expandValue(domain, false)) });
      }
      if (!defaults && name === 'mydomain' && !derivingMydomain) {
        derivingMydomain = true;
        try {
          return builtinDefault(name, facts, undefined, { myhostname: () => expandValue(lookupValue('myhostname', false, false) ?? '', false) });
        } finally {
          derivingMydomain = false;
        }
      }
      return node.def;
    };
    // expandValue - pcf_expand_parameter_value(): fatal on a syntax error.
    function expandValue(value: string, defaults: boolean, local?: Entry): string {
      const r = macExpand(value, { recurse: true, lookup: (n) => lookupValue(n, defaults, false, local) });
      r.warnings.forEach(warn);
      if (r.error) fatal('macro processing error');
      return r.value;
    }

    if (!req.defaults || masterMode) {
      // The compatibility level must make sense (checked once the files are read).
      const level = params.get('compatibility_level');
      if (level !== undefined) {
        const r = macExpand(level, { recurse: true, lookup: (n) => params.get(n) });
        r.warnings.forEach(warn);
        const parsed = compatLevelFromString(r.value);
        if (typeof parsed === 'string') {
          warn(parsed);
          fatal('macro processing error');
        }
      }
      registerUserParameters(params, entries, table, dir, warn, (value, local) => void expandValue(value, false, local));
    }

    // Output.
    const fold = req.fold ?? false;
    if (req.masterEntries) {
      const selected = selectEntries(entries, req.names, warn);
      for (const e of selected) stdout += printMasterEntry(e.service.argv, fold, req.expand ? (v) => expandValue(v, false, e) : undefined);
    } else if (req.masterParams) {
      for (const e of entries) {
        const prefix = `${e.service.argv[0]}/${e.service.argv[1]}/`;
        for (const name of [...e.params.keys()].sort(byteOrder)) {
          if (req.names.length > 0 && !req.names.some((p) => matchParamPattern(p, e, name))) continue;
          let value = e.params.get(name)!;
          if (req.expand) value = expandValue(value, false, e);
          stdout += printLine(req.hideValue ? prefix + name : req.hideName ? value : `${prefix}${name} = ${value}`, fold);
        }
      }
    } else {
      const show = (name: string, node: Node | undefined): void => {
        const value = lookupValue(name, req.defaults ?? false, (req.nondefault ?? false) && !req.defaults);
        if (value === undefined) return;
        if (req.hideValue) return void (stdout += printLine(name, fold));
        const v = req.expand && !isRawParameter(name) ? expandValue(value, req.defaults ?? false) : value;
        stdout += printLine(req.hideName ? v : `${name} = ${v}`, fold);
        void node;
      };
      if (req.names.length === 0) {
        for (const name of [...table.keys()].sort(byteOrder)) if (table.get(name)!.cls !== 'legacy') show(name, table.get(name));
      } else
        for (const name of req.names) {
          const node = table.get(name);
          if (!node) warn(`${name}: unknown parameter`);
          else show(name, node);
        }
    }

    // Unused parameters.
    if (!req.defaults || masterMode) {
      if (!masterMode) for (const [name, value] of params) if (!table.has(name)) warnUnused(`${dir}/main.cf`, name, value);
      for (const e of entries) for (const [name, value] of e.params) if (!table.has(name) && !e.valid.has(name)) warnUnused(`${dir}/master.cf`, name, value);
    }
    return { stdout, messages, status: 0, unused };
  } catch (e) {
    if (!(e instanceof Fatal)) messages.push(`fatal: internal error: ${(e as Error).stack ?? e}`);
    // A fatal error loses what was still in the 4096-byte stdout buffer.
    const bytes = new TextEncoder().encode(stdout);
    return { stdout: new TextDecoder().decode(bytes.slice(0, bytes.length - (bytes.length % 4096))), messages, status: 1, unused };
  }
}

/**
 * registerUserParameters - pcf_register_user_parameters(): validate
 * user-defined names, warn about undefined ones. The value of a built-in
 * or per-service parameter is also expanded (`expand`, fatal on bad `$`
 * syntax), as postconf does when it looks for legacy database names in it.
 */
function registerUserParameters(
  params: Map<string, string>,
  entries: Entry[],
  table: Map<string, Node>,
  dir: string,
  warn: (m: string) => void,
  expand: (value: string, local?: Entry) => void,
): void {
  const restClasses = new Set<string>();
  const flag = (name: string, local?: Entry): void => {
    let supplied = false;
    if (local && local.params.has(name)) {
      supplied = true;
      local.valid.add(name);
    } else if (params.has(name)) {
      supplied = true;
      if (!table.has(name)) table.set(name, { cls: 'user', def: '' });
    }
    if (!local)
      for (const e of entries)
        if (e.params.has(name)) {
          supplied = true;
          e.valid.add(name);
        }
    if (!supplied && !table.has(name)) warn(`${dir}/${local ? 'master.cf' : 'main.cf'}: undefined parameter: ${name}`);
  };
  const scan = (value: string, local?: Entry): void => {
    const r = macExpand(value, { scan: true, lookup: (n) => (flag(n, local), undefined) });
    r.warnings.forEach(warn);
  };
  const scanNamespace = (ns: Map<string, string>, local?: Entry): void => {
    const classes = ns.get('smtpd_restriction_classes');
    if (classes !== undefined) {
      const expanded = macExpand(classes, { recurse: true, lookup: (n) => ns.get(n) }).value;
      for (const name of splitList(expanded)) {
        if (!local) restClasses.add(name);
        flag(name, local);
      }
    }
    for (const [name, value] of [...ns]) {
      if (local && !local.valid.has(name) && restClasses.has(name)) local.valid.add(name);
      const node = table.get(name);
      if (node) {
        if (READONLY_PARAMETERS.includes(name)) {
          warn(`${dir}/${local ? 'master.cf' : 'main.cf'}: read-only parameter assignment: ${name}=${value}`);
          ns.delete(name);
          continue;
        }
        if (node.cls === 'legacy') node.cls = 'user';
        if (isRawParameter(name)) continue;
      }
      scan(value, local);
      if (node && (node.cls === 'builtin' || node.cls === 'service')) expand(value, local);
    }
  };
  for (const e of entries) if (e.params.size > 0) scanNamespace(e.params, e);
  scanNamespace(params);
}

/** selectEntries - the -M service[/type] filter. */
function selectEntries(entries: Entry[], patterns: readonly string[], warn: (m: string) => void): Entry[] {
  if (patterns.length === 0) return entries;
  const hit = new Set<Entry>();
  for (const p of patterns) {
    const [service, type] = p.split('/');
    let n = 0;
    for (const e of entries)
      if ((service === '' || service === e.service.argv[0]) && (type === undefined || type === '' || type === e.service.argv[1])) {
        hit.add(e);
        n++;
      }
    if (n === 0) warn(`${p}: no match`);
  }
  return entries.filter((e) => hit.has(e));
}

function matchParamPattern(pattern: string, e: Entry, name: string): boolean {
  const [s, t, p] = pattern.split('/');
  return (!s || s === e.service.argv[0]) && (!t || t === e.service.argv[1]) && (!p || p === name);
}

/** isKnownParameter - known to postconf without any main.cf or master.cf (built-in or legacy). */
/**
 * unusedParameters - what `postconf -n` warns about the configuration in
 * `dir`: settings no program uses. The daemons say nothing about them, so
 * simulations show postconf's words (program `postconf`).
 */
export function unusedParameters(readFile: (path: string) => string | undefined, dir: string): Diagnostic[] {
  return postconfShow({ nondefault: true, names: [], configDirectory: dir, readFile }).unused.map((u) => ({
    severity: 'warning',
    program: 'postconf',
    message: `${u.file}: unused parameter: ${u.name}=${u.value}`,
    file: u.file,
  }));
}

export const isKnownParameter = (name: string): boolean => isBuiltinParameter(name) || legacyParameters().has(name);
