#!/usr/bin/env node
/*
 * NAME
 *   check-boundaries - the house's import rules, checked (part of npm test)
 * SYNOPSIS
 *   node scripts/check-boundaries.mjs
 * DESCRIPTION
 *   Reads every import of src/, bench/ and scripts/ and fails (exit 1,
 *   one line per violation) when one breaks a rule of ARCHITECTURE.md:
 *   - the engine (src/engine/) imports no Node module, nothing of ui/ or
 *     cli/, and no package but the ones it runs on (ENGINE_PACKAGES);
 *   - inside the engine, a folder imports only the folders below it
 *     (ENGINE_LAYERS), so trace and util stay at the bottom and postscreen
 *     and resolve never reach into smtpd;
 *   - ui/ and cli/ never import each other, and reach the engine only
 *     through src/engine/index.ts, as bench/ and scripts/ do;
 *   - no import cycle anywhere in src/.
 *   Type-only imports count: they couple modules just the same.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * What each engine folder may import besides itself. A folder not listed here is a violation.
 * @type {Record<string, string[] | undefined>}
 */
export const ENGINE_LAYERS = {
  trace: [],
  util: ['trace'],
  mail: ['trace', 'util'],
  tables: ['trace', 'util', 'mail'],
  config: ['trace', 'util', 'mail', 'tables'],
  search: ['trace', 'util', 'tables', 'config', 'mail'],
  dns: ['trace', 'util', 'mail'],
  resolve: ['trace', 'util', 'tables', 'config', 'search', 'mail'],
  postscreen: ['trace', 'util', 'tables', 'config', 'search', 'mail', 'dns'],
  smtpd: ['trace', 'util', 'tables', 'config', 'search', 'mail', 'dns', 'resolve'],
  connections: ['trace', 'util', 'tables', 'config', 'search', 'mail', 'dns', 'resolve', 'postscreen', 'smtpd'],
  scenario: ['trace', 'util', 'tables', 'config', 'search', 'mail', 'dns', 'resolve', 'postscreen', 'smtpd', 'connections'],
  // Expectations are checked by playing scenarios: expect sits above scenario.
  expect: ['trace', 'util', 'tables', 'config', 'search', 'mail', 'dns', 'resolve', 'postscreen', 'smtpd', 'connections', 'scenario'],
};
/** Packages the engine may use: it must run unchanged in a browser worker and under Node. */
const ENGINE_PACKAGES = new Set(['re2js', 'ip-num', 'sql.js']);
const ENGINE_INDEX = 'src/engine/index.ts';

const SOURCE = /\.(ts|mts|mjs|js|svelte)$/;
/**
 * @param {string} dir
 * @param {string[]} [out]
 * @returns {string[]}
 */
function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'out' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (SOURCE.test(name) && !name.endsWith('.d.mts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/**
 * The module specifiers `text` imports (static, dynamic and re-exports), comments stripped.
 * @param {string} text
 * @returns {string[]}
 */
export function importsOf(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
  /** @type {string[]} */
  const specs = [];
  const re =
    /(?:\bimport\s+(?:type\s+)?(?:[\w*{}\s,$]+\s+from\s+)?|\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s+from\s+|\bimport\s*\()\s*['"]([^'"]+)['"]/g;
  for (let m; (m = re.exec(code));) specs.push(m[1]);
  return specs;
}

/** The repository path a relative specifier points at (`?url` and the like dropped). */
const target = (/** @type {string} */ from, /** @type {string} */ spec) => relative(ROOT, resolve(dirname(join(ROOT, from)), spec.replace(/\?.*$/, '')));
const engineFolder = (/** @type {string} */ path) => /^src\/engine\/([^/]+)\//.exec(path)?.[1];
const packageName = (/** @type {string} */ spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);

/**
 * check - the broken rules among `files` (paths relative to the repository), one message each.
 * @param {string[]} files
 * @returns {string[]}
 */
export function check(files) {
  /** @type {string[]} */
  const problems = [];
  /** @type {Map<string, string[]>} */
  const graph = new Map();
  for (const file of files) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    /** @type {string[]} */
    const edges = [];
    for (const spec of importsOf(text)) {
      const relativeSpec = spec.startsWith('.');
      const to = relativeSpec ? target(file, spec) : undefined;
      const say = (/** @type {string} */ why) => problems.push(`${file}: imports ${spec}: ${why}`);
      if (to && to.startsWith('src/')) edges.push(to);
      if (file.startsWith('src/engine/')) {
        if (!relativeSpec) {
          if (spec.startsWith('node:') || !ENGINE_PACKAGES.has(packageName(spec)))
            say('the engine imports no Node module and no package but re2js, ip-num and sql.js');
          continue;
        }
        if (!to?.startsWith('src/engine/')) {
          say('the engine imports nothing outside src/engine/');
          continue;
        }
        const from = engineFolder(file);
        const into = engineFolder(to);
        if (from && into && from !== into) {
          const allowed = ENGINE_LAYERS[from];
          if (!allowed) say(`engine folder "${from}" has no place in ENGINE_LAYERS (scripts/check-boundaries.mjs, ARCHITECTURE.md)`);
          else if (!allowed.includes(into)) say(`engine/${from} may import only ${allowed.join(', ') || 'nothing'}; not engine/${into}`);
        } else if (from && !into && to !== ENGINE_INDEX) say('engine folders do not import the engine index');
        continue;
      }
      if (!to) continue;
      const side = /^src\/(ui|cli)\//.exec(file)?.[1];
      if (side && to.startsWith(`src/${side === 'ui' ? 'cli' : 'ui'}/`)) say('ui and cli never import each other');
      if ((side || file.startsWith('bench/') || file.startsWith('scripts/')) && to.startsWith('src/engine/') && to !== ENGINE_INDEX)
        say(`reach the engine only through ${ENGINE_INDEX}`);
      if ((file.startsWith('bench/') || file.startsWith('scripts/')) && /^src\/(ui|cli)\//.test(to))
        say('benchmarks and scripts use the engine, not the page or the CLI');
    }
    graph.set(file, edges);
  }
  for (const cycle of cycles(graph)) problems.push(`import cycle: ${cycle.join(' -> ')} -> ${cycle[0]}`);
  return problems;
}

/** cycles - the strongly connected components of more than one file (Tarjan), each as a path. */
/**
 * @param {Map<string, string[]>} graph
 * @returns {string[][]}
 */
function cycles(graph) {
  let index = 0;
  /** @type {string[]} */
  const stack = [];
  /** @typedef {{ index: number; low: number; on: boolean }} Vertex */
  /** @type {Map<string, Vertex>} */
  const info = new Map();
  /** @type {string[][]} */
  const found = [];
  /**
   * @param {string} v
   * @returns {Vertex}
   */
  const visit = (v) => {
    const vertex = { index, low: index, on: true };
    info.set(v, vertex);
    index++;
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      const seen = info.get(w);
      if (!seen) vertex.low = Math.min(vertex.low, visit(w).low);
      else if (seen.on) vertex.low = Math.min(vertex.low, seen.index);
    }
    if (vertex.low === vertex.index) {
      /** @type {string[]} */
      const component = [];
      let w;
      do {
        // v is on the stack under everything pushed after it, each of them visited.
        w = /** @type {string} */ (stack.pop());
        /** @type {Vertex} */ (info.get(w)).on = false;
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.reverse());
    }
    return vertex;
  };
  for (const v of graph.keys()) if (!info.has(v)) visit(v);
  return found;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = ['src', 'bench', 'scripts'].flatMap((d) => walk(join(ROOT, d))).map((f) => relative(ROOT, f));
  const problems = [...new Set(check(files))];
  for (const p of problems) console.error(`check-boundaries: ${p}`);
  if (problems.length) process.exit(1);
  console.log(`check-boundaries: ${files.length} files, the import rules hold, no cycles`);
}
