/*
 * NAME
 *   postfix-sim engine - the only public entry of the engine
 * DESCRIPTION
 *   The UI, the CLI and library users import from here and nowhere else.
 */
export type { Diagnostic, LookupResult, LookupTrace, RuleMatch, Severity, RegexEngineName } from './trace/types.ts';
export type { Host, OpenOptions, Table, TableDriver } from './tables/types.ts';
export { DEBIAN_POSTFIX_TYPES, DRIVERS, INDEXED_TYPES, openTable, splitSpec } from './tables/registry.ts';
export { printable } from './trace/printable.ts';
export { loadMainCf, serviceView, getServiceParams } from './config/maincf.ts';
export type { MainCf, ParameterView } from './config/maincf.ts';
export { macExpand, compatLevelFromString } from './config/expand.ts';
export type { Expansion, MacLookup } from './config/expand.ts';
export { splitList, stripBraces, LIST_SEPARATORS } from './config/lists.ts';
export { parseMasterCf, findService, effectiveChroot } from './config/mastercf.ts';
export type { MasterCf, MasterService } from './config/mastercf.ts';
export { DEFAULT_FACTS, builtinDefault, compareCompatLevels, isBuiltinParameter, serviceParameters } from './config/names.ts';
export type { MachineFacts, InterfaceAddress } from './config/names.ts';
export { postconfShow } from './config/postconf.ts';
export type { PostconfRequest, PostconfOutput } from './config/postconf.ts';
