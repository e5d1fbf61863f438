#!/usr/bin/env node
// bench/resolve: address resolutions per second with 10,000 virtual aliases
// and a 10,000-line transport map, next to the hash lookup throughput
// measured in the same run (the ratio says how many table lookups one
// resolution costs). The engine is bundled from src/ into bench/out/ first,
// so no dist-lib build is needed. Usage: npm run bench:resolve
import { bundleEngine } from '../bundle-engine.mjs';

/** @import { Host } from '../../src/engine/index.ts' */

const { openScenario, openTable } = await bundleEngine('resolve');

const N = 10_000;
const SECONDS = Number(process.env.SECONDS ?? 2);
let seed = 42;
const rand = (/** @type {number} */ n) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;

// The configuration: aliases in 100 virtual alias domains, a transport map of 10,000 domains.
const files = new Map();
const virtual = [];
for (let i = 0; i < N; i++)
  virtual.push(`user${i}@valias${i % 100}.example\ttarget${i}@remote${i % 500}.example${i % 10 === 0 ? `, copy${i}@host.example.com` : ''}`);
files.set('/etc/postfix/virtual', virtual.join('\n') + '\n');
const transport = [];
for (let i = 0; i < N; i++) transport.push(`${i % 3 === 0 ? '.' : ''}remote${i}.example\tsmtp:[relay${i % 50}.example]:2525`);
files.set('/etc/postfix/transport', transport.join('\n') + '\n');
files.set('/etc/postfix/aliases', 'postmaster: root\n');
const mainCf = [
  'compatibility_level = 3.6',
  'myhostname = host.example.com',
  'mydomain = example.com',
  'inet_interfaces = loopback-only',
  'alias_maps = hash:/etc/postfix/aliases',
  `virtual_alias_domains = ${Array.from({ length: 100 }, (_, i) => `valias${i}.example`).join(' ')}`,
  'virtual_alias_maps = hash:/etc/postfix/virtual',
  'transport_maps = hash:/etc/postfix/transport',
  'relay_domains = relay.example',
].join('\n');
files.set('/etc/postfix/main.cf', mainCf);
const enc = new TextEncoder();
/** @type {Host} */
const host = { readFile: (p) => (files.has(p) ? enc.encode(files.get(p)) : undefined), environment: {} };

let t0 = process.hrtime.bigint();
const scenario = await openScenario({ host });
if (scenario.fatal) throw new Error(scenario.fatal.message);
const resolver = await scenario.resolver();
const openMs = Number(process.hrtime.bigint() - t0) / 1e6;

/** @type {string[]} */
const addresses = [];
for (let i = 0; i < 20_000; i++) {
  const n = rand(N * 2);
  addresses.push(n < N ? `user${n}@valias${n % 100}.example` : `someone${n}@remote${n % N}.example`);
}

/**
 * Calls per second of fn over the addresses, for about SECONDS.
 * @param {(address: string) => unknown} fn
 * @returns {number}
 */
function rate(fn) {
  let count = 0;
  const start = process.hrtime.bigint();
  const limit = BigInt(Math.round(SECONDS * 1e9));
  while (process.hrtime.bigint() - start < limit) {
    for (let i = 0; i < 1000; i++) fn(addresses[(count + i) % addresses.length]);
    count += 1000;
  }
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

// The same hash table the resolver uses, asked directly.
const table = await openTable('hash:/etc/postfix/virtual', { host });
const hashRate = rate((a) => table.lookup(a));
const resolveRate = rate((a) => resolver.resolve('sender@example.org', a));
const deliveryRate = rate((a) => resolver.resolveDelivery('sender@example.org', a));
const sample = resolver.resolveDelivery('sender@example.org', 'user10@valias10.example');

console.log(`postfix-sim resolve benchmark (node ${process.version}): ${N} virtual aliases, ${N}-line transport map; tables opened in ${openMs.toFixed(0)} ms`);
console.log('what                                  per second    vs hash lookup');
const row = (/** @type {string} */ what, /** @type {number} */ r) =>
  console.log(`${what.padEnd(36)} ${Math.round(r).toString().padStart(11)}    ${(r / hashRate).toFixed(4).padStart(8)}x`);
row('hash lookup (virtual table)', hashRate);
row('trivial-rewrite resolve', resolveRate);
row('full pipeline (resolveDelivery)', deliveryRate);
console.log(`sample: user10@valias10.example -> ${sample.final.map((f) => `${f.to} ${f.transport}:${f.nexthop}`).join(', ')}`);
