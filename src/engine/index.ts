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
export { loadMainCf } from './config/maincf.ts';
export type { MainCf } from './config/maincf.ts';
