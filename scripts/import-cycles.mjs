#!/usr/bin/env node
/*
 * NAME
 *   import-cycles - report import cycles among the modules of a source tree
 * SYNOPSIS
 *   node scripts/import-cycles.mjs [directory]     (default: src/engine)
 * DESCRIPTION
 *   Builds the graph of relative imports between the .ts files under the
 *   directory (`import`, `import type`, `export ... from` and dynamic
 *   `import('...')`; type-only imports count too, since a type cycle is a
 *   cycle in the design) and prints every strongly connected component of
 *   more than one module, with one cycle through it. Exits 1 when there is
 *   one, 0 otherwise.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const base = resolve(ROOT, process.argv[2] ?? 'src/engine');

/** Every .ts file under `dir`. */
function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

/** The files under `base` that `file` imports. */
function importsOf(file, known) {
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  const out = new Set();
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec.startsWith('.')) continue;
    const target = resolve(dirname(file), spec);
    if (known.has(target)) out.add(target);
  }
  return [...out];
}

const files = sources(base);
const known = new Set(files);
const graph = new Map(files.map((f) => [f, importsOf(f, known)]));

/** Tarjan's strongly connected components. */
function components() {
  let index = 0;
  const stack = [];
  const info = new Map();
  const result = [];
  const visit = (v) => {
    info.set(v, { index, low: index, onStack: true });
    index++;
    stack.push(v);
    for (const w of graph.get(v)) {
      if (!info.has(w)) {
        visit(w);
        info.get(v).low = Math.min(info.get(v).low, info.get(w).low);
      } else if (info.get(w).onStack) info.get(v).low = Math.min(info.get(v).low, info.get(w).index);
    }
    if (info.get(v).low === info.get(v).index) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        info.get(w).onStack = false;
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) result.push(scc);
    }
  };
  for (const v of files) if (!info.has(v)) visit(v);
  return result;
}

/** One cycle through `start` inside `scc` (breadth-first, shortest). */
function cycleThrough(start, scc) {
  const inside = new Set(scc);
  const prev = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const w of graph.get(v)) {
      if (w === start) {
        const path = [v];
        for (let p = prev.get(v); p !== undefined; p = prev.get(p)) path.unshift(p);
        return [...path, start];
      }
      if (inside.has(w) && !prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

const rel = (f) => relative(ROOT, f);
const cycles = components();
for (const scc of cycles) {
  const sorted = [...scc].sort();
  process.stdout.write(`cycle among ${scc.length} modules:\n  ${cycleThrough(sorted[0], scc).map(rel).join('\n  -> ')}\n`);
}
process.stdout.write(`${files.length} modules under ${rel(base)}, ${[...graph.values()].reduce((n, e) => n + e.length, 0)} imports, ${cycles.length} cycles\n`);
process.exit(cycles.length ? 1 : 0);
