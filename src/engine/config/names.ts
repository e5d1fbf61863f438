/*
 * NAME
 *   names - Postfix parameter names, their built-in defaults, and machine facts
 * DESCRIPTION
 *   The one place that names main.cf parameters. Built-in defaults come from
 *   defaults.generated.ts (generated from real `postconf -d`); those that
 *   depend on compatibility_level are, as in Postfix 3.7, expressions such
 *   as `${{$compatibility_level} <level {2} ? {subnet} : {host}}` that the
 *   expander evaluates, so `compatibility_level` decides them exactly as
 *   Postfix does (a main.cf without the line gets the level-0 defaults).
 *
 *   Machine-dependent defaults are facts of the scenario (MachineFacts):
 *   the host name (default "host.example.com"), the interface addresses
 *   that mynetworks is computed from (default loopback only:
 *   127.0.0.1/8 and ::1/128), and process_id (default 1234). Two of them
 *   follow the configuration, as check_myhostname() and
 *   check_mydomainname() compute them: myhostname is the host name, with
 *   `.$mydomain` (when main.cf sets mydomain, else `.localdomain`)
 *   appended to a name without a dot; mydomain is what follows the first
 *   dot of myhostname as configured (`myhostname = mail.example.net` gives
 *   example.net, `mail.example` gives example), "localdomain" when it has
 *   no dot.
 *
 *   Legacy parameters (obsolete names that defaults still refer to, such as
 *   virtual_maps) are known with an empty default but are not listed by
 *   `postconf -d`, as in Postfix.
 *
 *   ParamName is the type of a built-in parameter's name, derived from the
 *   generated defaults: code that reads a parameter by a literal name gets
 *   a compile error for a misspelt one. Names known only at run time
 *   (service-specific, restriction classes, user-defined) are plain
 *   strings and go through the `dynamic` getters of a ParameterView.
 * SEE ALSO
 *   postconf(5), COMPATIBILITY_README
 */
import { DEFAULTS as GENERATED_DEFAULTS, RAW_PARAMETERS, SERVICE_PARAMETERS } from './defaults.generated.ts';
import { compatLevelFromString, macExpand } from './expand.ts';

export { POSTFIX_VERSION, RAW_PARAMETERS } from './defaults.generated.ts';

/** Parameters whose default is a machine fact (not in the generated table). */
export const MACHINE_PARAMETERS = ['mydomain', 'myhostname', 'mynetworks', 'process_id'] as const;

/** The name of a built-in parameter: what `postconf -d` lists. `cfg.str('mydomian')` does not compile. */
export type ParamName = keyof typeof GENERATED_DEFAULTS | (typeof MACHINE_PARAMETERS)[number];

/** The generated defaults, looked up by a name known only at run time. */
const DEFAULTS: Readonly<Record<string, string>> = GENERATED_DEFAULTS;

/** Parameters postconf refuses to take from main.cf ("read-only parameter assignment"), as observed on 3.7. */
export const READONLY_PARAMETERS: readonly string[] = ['process_id', 'process_name', 'service_name'];

/** isRawParameter - never $name-expanded (smtpd_expansion_filter, forward_path, ...). */
export const isRawParameter = (name: string): boolean => RAW_PARAMETERS.includes(name);

/** One network interface address of the simulated machine. */
export interface InterfaceAddress {
  address: string;
  prefixLength: number;
}

/** What real Postfix learns from the machine rather than from its configuration. */
export interface MachineFacts {
  /** gethostname(); a name without a dot gets ".localdomain" appended, as Postfix does. */
  hostname: string;
  /** Interface addresses, from which the default mynetworks is computed. */
  interfaces: readonly InterfaceAddress[];
  /** The pid postconf prints as process_id. */
  processId: number;
}

/** The facts used when a scenario gives none. */
export const DEFAULT_FACTS: MachineFacts = {
  hostname: 'host.example.com',
  interfaces: [
    { address: '127.0.0.1', prefixLength: 8 },
    { address: '::1', prefixLength: 128 },
  ],
  processId: 1234,
};

/** compatibility_level as a comparable tuple ("3.6" -> [3, 6]); garbage is level 0. */
export function parseCompatibilityLevel(value: string): number[] {
  return /^\d+(\.\d+){0,2}$/.test(value.trim()) ? value.trim().split('.').map(Number) : [0];
}

/** compatBelow - true when `level` is below `than`, comparing as Postfix does (3.10 > 3.9). */
export function compatBelow(level: number[], than: string): boolean {
  const t = than.split('.').map(Number);
  for (let i = 0; i < Math.max(level.length, t.length); i++) {
    const a = level[i] ?? 0;
    const b = t[i] ?? 0;
    if (a !== b) return a < b;
  }
  return false;
}

/** compareCompatLevels - <0, 0, >0 as Postfix's `<level` family compares; undefined when malformed. */
export function compareCompatLevels(a: string, b: string): number | undefined {
  const x = compatLevelFromString(a);
  const y = compatLevelFromString(b);
  return typeof x === 'string' || typeof y === 'string' ? undefined : x - y;
}

/** isBuiltinParameter - listed by `postconf -d` (machine parameters included). */
export function isBuiltinParameter(name: string): boolean {
  return Object.hasOwn(DEFAULTS, name) || (MACHINE_PARAMETERS as readonly string[]).includes(name);
}

let legacy: ReadonlySet<string> | undefined;
/** legacyParameters - names referenced by built-in defaults that have no default of their own. */
export function legacyParameters(): ReadonlySet<string> {
  if (legacy) return legacy;
  const names = new Set<string>();
  for (const value of Object.values(DEFAULTS))
    macExpand(value, {
      scan: true,
      lookup: (name) => {
        if (!isBuiltinParameter(name)) names.add(name);
        return undefined;
      },
    });
  return (legacy = names);
}

/** builtinParameterNames - every parameter `postconf -d` lists without master.cf, sorted. */
export function builtinParameterNames(): string[] {
  return [...Object.keys(DEFAULTS), ...MACHINE_PARAMETERS].sort(byteOrder);
}

/** byteOrder - strcmp() order. */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * What the computed defaults of myhostname and mydomain depend on besides
 * the machine: the configured (expanded) mydomain, undefined when main.cf
 * does not set it, and the myhostname in effect.
 */
export interface DerivedFrom {
  mydomain?: () => string | undefined;
  myhostname?: () => string;
}

/** myhostnameOf - check_myhostname(): gethostname(), with `.$mydomain` appended when it has no dot. */
function myhostnameOf(facts: MachineFacts, from?: DerivedFrom): string {
  if (facts.hostname.includes('.')) return facts.hostname;
  return `${facts.hostname}.${from?.mydomain?.() ?? 'localdomain'}`;
}

/** mydomainOf - check_mydomainname(): what follows the first dot of myhostname, else "localdomain". */
function mydomainOf(myhostname: string): string {
  const dot = myhostname.indexOf('.');
  return dot < 0 ? 'localdomain' : myhostname.slice(dot + 1);
}

/** mynetworksOf - the default mynetworks for a mynetworks_style (mynetworks.c). */
export function mynetworksOf(facts: MachineFacts, style: string): string {
  const out: string[] = [];
  for (const { address, prefixLength } of facts.interfaces) {
    const v6 = address.includes(':');
    const bits = v6 ? 128 : 32;
    let len = style === 'host' ? bits : prefixLength;
    if (style === 'class' && !v6) {
      const first = Number(address.split('.')[0]);
      len = first < 128 ? 8 : first < 192 ? 16 : first < 224 ? 24 : 32;
    }
    const net = maskAddress(address, len, v6);
    const text = v6 ? `[${net}]/${len}` : `${net}/${len}`;
    if (!out.includes(text)) out.push(text);
  }
  return out.join(' ');
}

function maskAddress(address: string, len: number, v6: boolean): string {
  if (!v6) {
    const n = address.split('.').reduce((a, o) => a * 256 + Number(o), 0);
    const masked = len === 0 ? 0 : Math.floor(n / 2 ** (32 - len)) * 2 ** (32 - len);
    return [24, 16, 8, 0].map((s) => Math.floor(masked / 2 ** s) % 256).join('.');
  }
  const [l, r] = address.split('::') as [string, string | undefined];
  const left = l ? l.split(':') : [];
  const right = r ? r.split(':') : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right].map((g) => parseInt(g || '0', 16));
  const masked = groups.map((g, i) => {
    const keep = Math.max(0, Math.min(16, len - i * 16));
    return keep === 0 ? 0 : g & (0xffff << (16 - keep)) & 0xffff;
  });
  // inet_ntop: compress the longest run of zero groups (length >= 2).
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (masked[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && masked[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = masked.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/**
 * builtinDefault - a parameter's default as `postconf -d` prints it, or
 * undefined for a name Postfix does not know. `style` is the
 * mynetworks_style in effect (mynetworks is computed, not an expression);
 * `from` gives what myhostname and mydomain are computed from when a
 * main.cf is in effect (without it: the machine alone, as `postconf -d`).
 */
export function builtinDefault(name: string, facts: MachineFacts = DEFAULT_FACTS, style = 'subnet', from?: DerivedFrom): string | undefined {
  if (Object.hasOwn(DEFAULTS, name)) return DEFAULTS[name];
  switch (name) {
    case 'myhostname':
      return myhostnameOf(facts, from);
    case 'mydomain':
      return mydomainOf(from?.myhostname?.() ?? myhostnameOf(facts));
    case 'mynetworks':
      return mynetworksOf(facts, style);
    case 'process_id':
      return String(facts.processId);
  }
  return legacyParameters().has(name) ? '' : undefined;
}

/** The master.cf commands whose services get per-service parameters, and which set. */
const SERVICE_COMMANDS: Readonly<Record<string, keyof typeof SERVICE_PARAMETERS>> = {
  local: 'agent',
  error: 'agent',
  virtual: 'agent',
  smtp: 'agent',
  lmtp: 'agent',
  pipe: 'pipe',
  spawn: 'spawn',
};

/**
 * serviceParameters - the per-service parameters postconf derives for a
 * master.cf service running `command`: [name, default] with defaults as
 * `$default_parameter`; built-in names keep their own default.
 */
export function serviceParameters(service: string, command: string): [string, string][] {
  const set = SERVICE_COMMANDS[command];
  if (!set) return [];
  return SERVICE_PARAMETERS[set]!.map(([suffix, param]) => {
    const name = service + suffix;
    return [name, Object.hasOwn(DEFAULTS, name) ? DEFAULTS[name]! : `$${param}`];
  });
}
