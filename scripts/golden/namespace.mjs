/*
 * NAME
 *   namespace - what every recorder and benchmark shares to run real Postfix in isolation
 * DESCRIPTION
 *   LO_UP is the shell that brings up `lo` inside a fresh network namespace
 *   (`ip` when present, else an ioctl through perl, which Debian always has);
 *   which() finds a program on a PATH; pool() runs async jobs a few at a
 *   time keeping their order; dieWith() makes a script's fatal-error exit.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const LO_UP = `if command -v ip >/dev/null 2>&1; then ip link set lo up
else perl -e 'socket(S,2,2,0) or die "socket: $!";
  my $r = pack("a16 s x22", "lo", 0); ioctl(S, 0x8913, $r) or die "SIOCGIFFLAGS: $!";
  my (undef, $f) = unpack("a16 s", $r); $r = pack("a16 s x22", "lo", $f | 1);
  ioctl(S, 0x8914, $r) or die "SIOCSIFFLAGS: $!"'
fi`;

/** which - the full path of `program` on `path`, or null. */
export function which(program, path) {
  for (const dir of path.split(':')) if (existsSync(join(dir, program))) return join(dir, program);
  return null;
}

/** pool - runs async jobs with at most `limit` at a time, keeping result order. */
export async function pool(jobs, limit) {
  const results = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

/** dieWith - a function that prints `NAME: message` and exits 1. */
export function dieWith(name) {
  return (message) => {
    process.stderr.write(`${name}: ${message}\n`);
    process.exit(1);
  };
}
