/*
 * NAME
 *   maincf - main.cf: parameters, defaults, $name expansion, per-service views
 * SYNOPSIS
 *   loadMainCf(text, path?, facts?)
 *   serviceView(mainCf, masterCf, service, type)
 * DESCRIPTION
 *   main.cf is read like any Postfix parameter file (`name = value`,
 *   comments, indented continuation lines; a malformed line is fatal; the
 *   last definition of a name wins). `#` after text is part of the value.
 *
 *   get() is what a Postfix program sees: the value (or built-in default)
 *   with `$name` expanded recursively (expand.ts), where the
 *   compatibility-level-dependent defaults evaluate against this file's
 *   compatibility_level. A service view applies that service's master.cf
 *   `-o name=value` overrides first, as master(8) passes them to the daemon
 *   before it reads its parameters (what smtpd on `submission` sees).
 *   source() says where the value in effect is set: the main.cf line (of
 *   its last definition), or the master.cf entry whose `-o` sets it.
 *
 *   The getters take a ParamName, so a misspelt parameter does not
 *   compile; `dynamic` has the same getters for names known only at run
 *   time (service-specific `service_...` parameters, restriction classes,
 *   user-defined parameters).
 * SEE ALSO
 *   postconf(5), master(5)
 */
import type { Diagnostic, SourceLine } from '../trace/types.ts';
import { parseParameterFile } from '../tables/cfg-parser.ts';
import { macExpand } from './expand.ts';
import type { Expansion } from './expand.ts';
import type { MasterCf } from './mastercf.ts';
import { findService } from './mastercf.ts';
import { DEFAULT_FACTS, builtinDefault } from './names.ts';
import type { MachineFacts, ParamName } from './names.ts';

/** The getters of a parameter view, by the type of name they take. */
export interface ParameterGetters<Name extends string> {
  /** The value with `$name` expanded; the default when not set; undefined for an unknown, unset name. */
  get(name: Name): string | undefined;
  /** The value as written (override or main.cf), unexpanded; undefined when not set. */
  raw(name: Name): string | undefined;
  /** The unexpanded value or default, as `postconf name` shows it. */
  rawOrDefault(name: Name): string | undefined;
  /** Where the value in effect is set (main.cf line, master.cf entry); undefined for a default. */
  source(name: Name): SourceLine | undefined;
}

/** Parameter values as one program (or one master.cf service) sees them. */
export interface ParameterView extends ParameterGetters<ParamName> {
  /** The same getters for a name known only at run time (`${service}_...`, restriction classes, user-defined). */
  readonly dynamic: ParameterGetters<string>;
  /** Expand arbitrary text against these parameters (warnings included). */
  expand(value: string): Expansion;
}

/** One layer of settings: a file's `name = value` lines, or a master.cf entry's `-o` overrides. */
interface Layer {
  params: ReadonlyMap<string, string>;
  file: string;
  /** The line each name is set on; absent: every name is on `line`. */
  lines?: ReadonlyMap<string, number>;
  line?: number;
}

/** A loaded main.cf. */
export interface MainCf extends ParameterView {
  /** The file's name = value settings, in file order (last definition kept). */
  readonly params: ReadonlyMap<string, string>;
  /** The line of each setting's last definition. */
  readonly lines: ReadonlyMap<string, number>;
  readonly path: string;
  readonly facts: MachineFacts;
  readonly diagnostics: readonly Diagnostic[];
  /** The fatal error Postfix gives for this file, if any. */
  readonly error?: Diagnostic;
}

/** makeView - parameters from `layers` (first wins), then built-in defaults. */
function makeView(layers: readonly Layer[], facts: MachineFacts): ParameterView {
  const layerOf = (name: string): Layer | undefined => layers.find((layer) => layer.params.has(name));
  const raw = (name: string): string | undefined => layerOf(name)?.params.get(name);
  let derivingMydomain = false;
  function rawOrDefault(name: string): string | undefined {
    const v = raw(name);
    if (v !== undefined) return v;
    switch (name) {
      case 'mynetworks':
        return builtinDefault(name, facts, view.get('mynetworks_style') ?? 'subnet');
      case 'myhostname':
        // check_myhostname() consults mydomain only when main.cf sets it.
        return builtinDefault(name, facts, undefined, { mydomain: () => (view.raw('mydomain') === undefined ? undefined : view.get('mydomain')) });
      case 'mydomain': {
        // check_mydomainname() reads myhostname; a myhostname that refers back to $mydomain sees it undefined.
        if (derivingMydomain) return undefined;
        derivingMydomain = true;
        try {
          return builtinDefault(name, facts, undefined, { myhostname: () => view.get('myhostname') ?? '' });
        } finally {
          derivingMydomain = false;
        }
      }
    }
    return builtinDefault(name, facts);
  }
  const expand = (value: string): Expansion => macExpand(value, { recurse: true, lookup: (n) => rawOrDefault(n) });
  const getters: ParameterGetters<string> = {
    get(name) {
      const v = rawOrDefault(name);
      return v === undefined ? undefined : expand(v).value;
    },
    raw,
    rawOrDefault,
    source(name) {
      const layer = layerOf(name);
      if (!layer) return undefined;
      const line = layer.lines?.get(name) ?? layer.line;
      return { file: layer.file, ...(line !== undefined && { line }) };
    },
  };
  // A ParamName is a string: the dynamic getters are the same functions.
  const view: ParameterView = { ...getters, dynamic: getters, expand };
  return view;
}

/** The fatal error of a malformed main.cf, located at the line its message names. */
function fatalAt(message: string, path: string): Diagnostic {
  const line = /, line (\d+):/.exec(message)?.[1];
  return { severity: 'fatal', message, file: path, ...(line && { line: Number(line) }) };
}

/** loadMainCf - parse main.cf text; undefined text reads as an empty file. */
export function loadMainCf(text: string | undefined, path = '/etc/postfix/main.cf', facts: MachineFacts = DEFAULT_FACTS): MainCf {
  const parsed = parseParameterFile(text ?? '', path);
  const params = 'error' in parsed ? new Map<string, string>() : parsed.params;
  const lines = 'error' in parsed ? new Map<string, number>() : parsed.lines;
  const diagnostics = 'error' in parsed ? [] : parsed.diagnostics;
  return {
    ...makeView([{ params, lines, file: path }], facts),
    params,
    lines,
    path,
    facts,
    diagnostics,
    ...('error' in parsed && { error: fatalAt(parsed.error, path) }),
  };
}

/**
 * serviceView - the parameters of master.cf service `service/type`: its
 * `-o` overrides, then main.cf, then defaults. Without such a service the
 * main.cf view is returned unchanged.
 */
export function serviceView(main: MainCf, master: MasterCf, service: string, type: string): ParameterView {
  const entry = findService(master, service, type);
  if (!entry) return main;
  return makeView(
    [
      { params: entry.overrides, file: master.path, line: entry.line },
      { params: main.params, lines: main.lines, file: main.path },
    ],
    main.facts,
  );
}

/** getServiceParams - alias of serviceView, by the name callers look for. */
export const getServiceParams = serviceView;
