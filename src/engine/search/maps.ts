/*
 * NAME
 *   maps - a list of lookup tables searched in order (maps(3))
 * SYNOPSIS
 *   openMaps(ctx, param, value, flags)
 *   maps.find(key, partial)
 * DESCRIPTION
 *   A parameter such as `transport_maps = hash:/a, regexp:/b` names tables
 *   separated by commas or whitespace (`{...}` keeps one spec together).
 *   find() sends one key to each table in turn: the first table that has
 *   the key answers; a table that fails stops the search with an error
 *   (the caller treats it as "try again later"). A partial key (an address
 *   with something removed: a bare domain, `@domain`, `user@`) is not sent
 *   to pattern tables. An empty key is never looked up; an empty result is
 *   a configuration error, as Postfix logs it.
 * SEE ALSO
 *   maps(3), DATABASE_README
 */
import { splitList } from '../util/lists.ts';
import type { Table } from '../tables/types.ts';
import type { Diagnostic, LookupTrace, MapsTrace } from '../trace/types.ts';
import type { SearchContext, TableFlags } from './context.ts';
import { isFixedTable } from './context.ts';

/** The answer of one maps_find(). */
export interface MapsResult {
  status: 'found' | 'notfound' | 'error';
  value?: string;
  /** The table that answered (found) or failed (error). */
  table?: string;
  error?: Diagnostic;
  /** Every table lookup made, in order (also in trace). */
  lookups: LookupTrace[];
  trace: MapsTrace;
}

/** An opened list of tables. */
export interface Maps {
  /** The parameter name, Postfix's maps->title. */
  readonly title: string;
  /** The tables as listed (type:name, separated by spaces). */
  readonly spec: string;
  readonly tables: readonly Table[];
  /** What Postfix logs when it opens these tables. */
  readonly diagnostics: readonly Diagnostic[];
  /** What the simulator assumes about these tables (servers it does not run), once per table, named by the parameter. */
  readonly notices: readonly Diagnostic[];
  /** maps_find(): `partial` keys skip pattern tables. */
  find(key: string, partial?: boolean): MapsResult;
}

/** openMaps - opens every table `value` names (already $name-expanded). */
export async function openMaps(ctx: SearchContext, param: string, value: string, flags: TableFlags = {}): Promise<Maps> {
  const specs = splitList(value);
  const tables = await Promise.all(specs.map((s) => ctx.cache.open(s, flags)));
  return makeMaps(param, tables);
}

/** makeMaps - a Maps over already opened tables. */
export function makeMaps(title: string, tables: readonly Table[]): Maps {
  const diagnostics: Diagnostic[] = [];
  for (const t of tables) {
    diagnostics.push(...t.diagnostics);
    // A daemon logs the open failure as an error and goes on with a surrogate table.
    if (t.openError) diagnostics.push({ ...t.openError, severity: 'error' });
  }
  const fixed = tables.map(isFixedTable);
  const notices = tables.flatMap((t) => (t.notices ?? []).map((n) => ({ ...n, message: `${title}: ${t.spec}: ${n.message}` })));
  return {
    title,
    spec: tables.map((t) => t.spec).join(' '),
    tables,
    diagnostics,
    notices,
    find(key, partial = false) {
      const lookups: LookupTrace[] = [];
      let skipped: string[] | undefined;
      let warnings: Diagnostic[] | undefined;
      const trace: MapsTrace = { maps: title, key, partial, status: 'notfound', lookups };
      // Called on every table search: built without closures or object spreads, which cost.
      function done(status: MapsResult['status'], value?: string, table?: string, error?: Diagnostic): MapsResult {
        trace.status = status;
        if (value !== undefined) trace.value = value;
        if (table !== undefined) trace.table = table;
        if (skipped) trace.skipped = skipped;
        if (warnings) trace.warnings = warnings;
        const result: MapsResult = { status, lookups, trace };
        if (value !== undefined) result.value = value;
        if (table !== undefined) result.table = table;
        if (error !== undefined) result.error = error;
        return result;
      }
      if (key === '') return done('notfound');
      for (let i = 0; i < tables.length; i++) {
        const table = tables[i]!;
        if (partial && !fixed[i]) {
          (skipped ??= []).push(table.spec);
          continue;
        }
        const r = table.lookup(key);
        lookups.push(r.trace);
        if (r.warnings) (warnings ??= []).push(...r.warnings);
        if (r.status === 'found') {
          if (r.value === '') {
            (warnings ??= []).push(warn(`${title} lookup of ${key} returns an empty string result`));
            warnings.push(warn(`${title} should return NO RESULT in case of NOT FOUND`));
            return done('error', undefined, table.spec, warn(`${title} lookup of ${key} returns an empty string result`));
          }
          return done('found', r.value, table.spec);
        }
        if (r.status === 'error') {
          warnings ??= [];
          if (table.openError) warnings.push(warn(`${table.spec} is unavailable. ${table.openError.message}`));
          else if (r.error.message) warnings.push({ ...r.error, severity: 'warning' });
          const err = warn(`${table.spec} lookup error for "${key}"`);
          warnings.push(err);
          return done('error', undefined, table.spec, err);
        }
      }
      return done('notfound');
    },
  };
}

const warn = (message: string): Diagnostic => ({ severity: 'warning', message });
