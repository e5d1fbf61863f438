/*
 * NAME
 *   composite - unionmap:{...} and pipemap:{...}
 * DESCRIPTION
 *   Both name their member tables inside braces, separated by commas or
 *   whitespace, and open them through the registry. unionmap asks every
 *   member and joins the values found with commas, in member order;
 *   pipemap feeds each member's value to the next as its key, and misses
 *   when any member misses. A member error ends the lookup with that
 *   error. FIXED or PATTERN behaviour is that of the first member.
 * SEE ALSO
 *   DATABASE_README ("unionmap", "pipemap")
 */
import type { Diagnostic, LookupResult, LookupTrace } from '../trace/types.ts';
import { balancedLength } from '../util/braces.ts';
import { splitList } from '../util/lists.ts';
import { fatal, surrogateTable } from './driver.ts';
import type { OpenMember, OpenOptions, Table, TableDriver } from './types.ts';

type Combine = (members: Table[], spec: string, key: string) => LookupResult;

/** Opens the members of `type:{a, b, ...}`; a table named twice is opened once, as dict_handle() does. */
async function openComposite(type: string, name: string, options: OpenOptions, openMember: OpenMember, combine: Combine): Promise<Table> {
  const spec = `${type}:${name}`;
  const badSyntax = (): Table => surrogateTable(type, name, fatal(`bad syntax: "${spec}"; need "${type}:{type:name...}"`), false);
  const len = balancedLength(name);
  if (len === 0 || len !== name.length) return badSyntax();
  const memberSpecs = splitList(name.slice(1, -1));
  if (memberSpecs.length === 0 || memberSpecs.some((m) => !m.includes(':'))) return badSyntax();

  const opened = new Map<string, Table>();
  const diagnostics: Diagnostic[] = [];
  const members: Table[] = [];
  for (const memberSpec of memberSpecs) {
    let member = opened.get(memberSpec);
    if (!member) {
      member = await openMember(memberSpec, options);
      opened.set(memberSpec, member);
      // What postmap logged when it built a member is not logged again when the table is opened.
      diagnostics.push(...member.diagnostics);
      // Postfix gives up at the first member that cannot be opened.
      if (member.openError) return surrogateTable(type, name, member.openError, member.fixed, diagnostics);
    }
    members.push(member);
  }
  return {
    spec,
    type,
    name,
    fixed: members[0]!.fixed,
    diagnostics,
    lookup: (key) => combine(members, spec, key),
    close: () => opened.forEach((t) => t.close?.()),
  };
}

/** unionmap: every member's value, comma-joined. */
const union: Combine = (members, spec, key) => {
  const children: LookupTrace[] = [];
  const warnings: Diagnostic[] = [];
  let joined = '';
  for (const member of members) {
    const r = member.lookup(key);
    children.push(r.trace);
    if (r.warnings) warnings.push(...r.warnings);
    if (r.status === 'error') return { ...r, trace: { table: spec, key, children }, warnings };
    // An empty first value adds nothing, a later one adds a lone comma: as Postfix joins.
    if (r.status === 'found') joined += (joined.length > 0 ? ',' : '') + r.value;
  }
  const trace = { table: spec, key, children };
  const w = warnings.length > 0 ? { warnings } : {};
  return joined.length > 0 ? { status: 'found', value: joined, trace, ...w } : { status: 'notfound', trace, ...w };
};

/** pipemap: each member's value is the next member's key. */
const pipe: Combine = (members, spec, key) => {
  const children: LookupTrace[] = [];
  const warnings: Diagnostic[] = [];
  let query = key;
  for (const member of members) {
    const r = member.lookup(query);
    children.push(r.trace);
    if (r.warnings) warnings.push(...r.warnings);
    if (r.status !== 'found') return { ...r, trace: { table: spec, key, children }, warnings };
    query = r.value;
  }
  return { status: 'found', value: query, trace: { table: spec, key, children }, warnings };
};

/** unionmap: tables. */
export const unionmapDriver: TableDriver = {
  open: (type, name, options, openMember) => openComposite(type, name, options, openMember, union),
};

/** pipemap: tables. */
export const pipemapDriver: TableDriver = {
  open: (type, name, options, openMember) => openComposite(type, name, options, openMember, pipe),
};
