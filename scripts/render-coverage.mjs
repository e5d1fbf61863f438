#!/usr/bin/env node
/*
 * NAME
 *   render-coverage - the README's table of what is and is not simulated
 * SYNOPSIS
 *   node scripts/render-coverage.mjs [--check]
 * DESCRIPTION
 *   Renders coverageRows() of the engine (src/engine/config/coverage.ts)
 *   between the `<!-- coverage:start -->` and `<!-- coverage:end -->`
 *   markers of README.md. With --check, only says whether README.md is
 *   up to date (exit 1 when it is not).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleEngine } from '../bench/bundle-engine.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const README = join(ROOT, 'README.md');
const START = '<!-- coverage:start -->';
const END = '<!-- coverage:end -->';

const engine = await bundleEngine('coverage');
const code = (/** @type {readonly string[]} */ names) => (names.length ? names.map((n) => `\`${n}\``).join(', ') : '–');
const lines = [
  START,
  '',
  '| program | simulated | not simulated (a non-default value gets a notice) | operational (no effect on the answers) |',
  '| --- | --- | --- | --- |',
  ...engine.coverageRows().map((r) => `| ${r.program} | ${code(r.simulated)} | ${code(r.notSimulated)} | ${r.operational} |`),
  '',
  END,
];
const readme = readFileSync(README, 'utf8');
const a = readme.indexOf(START);
const b = readme.indexOf(END);
if (a < 0 || b < a) throw new Error(`README.md has no ${START} ... ${END} section`);
const next = readme.slice(0, a) + lines.join('\n') + readme.slice(b + END.length);
if (process.argv.includes('--check')) {
  if (next !== readme) {
    process.stderr.write('render-coverage: README.md is out of date: run node scripts/render-coverage.mjs\n');
    process.exit(1);
  }
} else writeFileSync(README, next);
