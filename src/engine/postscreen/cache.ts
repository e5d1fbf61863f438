/*
 * NAME
 *   postscreen/cache - the temporary allowlist (postscreen_cache_map) over a dialogue
 * SYNOPSIS
 *   const cache = new ScreenCache(cfg)
 *   cache.lookup(addr, now) / cache.update(addr, expires, now)
 * DESCRIPTION
 *   postscreen remembers, per client address, when each test it passed
 *   expires (`new`: never passed; `disabled`: never passed, and the test
 *   was off when the entry was written). A test is to be done again when
 *   the time is past its expiry; a client whose enabled tests are all
 *   still valid is PASS OLD. Times are seconds since the dialogue's first
 *   connection, which is also when postscreen started.
 *
 *   The cleanup (postscreen_cache_cleanup_interval; 0 turns it off) runs
 *   when postscreen starts and then every interval; it removes an entry one
 *   of whose enabled tests expired more than postscreen_cache_retention_time
 *   ago. A removed client is new again (PASS NEW).
 * SEE ALSO
 *   postscreen(8), Postfix src/postscreen/postscreen_tests.c, dict_cache(3)
 */
import type { PostscreenCacheEntry, PostscreenExpiry, PostscreenTestName } from '../trace/types.ts';
import { TESTS } from './tests.ts';

export type Expires = Record<PostscreenTestName, PostscreenExpiry>;

/** The numeric value of an expiry: never-passed tests expired long ago. */
export const expiryTime = (e: PostscreenExpiry): number => (typeof e === 'number' ? e : -Infinity);

export const newExpires = (): Expires => Object.fromEntries(TESTS.map((t) => [t, 'new'])) as unknown as Expires;

interface Write {
  at: number;
  expires: Expires;
}

export interface CachePolicy {
  enabled: Readonly<Record<PostscreenTestName, boolean>>;
  cacheEnabled: boolean;
  cacheRetention: number;
  cacheCleanup: number;
}

export class ScreenCache {
  /** Every write per client, in time order (a later connection may start before an earlier one's write). */
  private readonly writes = new Map<string, Write[]>();

  constructor(private readonly policy: CachePolicy) {}

  /** dropTime - when the cleanup may drop a record: an enabled test expired longer ago than the retention time. */
  private dropTime(expires: Expires): number {
    let t = Infinity;
    for (const test of TESTS) if (this.policy.enabled[test]) t = Math.min(t, expiryTime(expires[test]) + this.policy.cacheRetention);
    return t;
  }

  /** lookup - the client's entry as postscreen finds it at `now` (after any cleanup run since it was written). */
  lookup(addr: string, now: number): Expires | undefined {
    if (!this.policy.cacheEnabled) return undefined;
    const list = (this.writes.get(addr) ?? []).filter((w) => w.at <= now);
    const w = list[list.length - 1];
    if (!w) return undefined;
    const interval = this.policy.cacheCleanup;
    if (interval > 0) {
      // Cleanup runs at 0, interval, 2 * interval, ...: the first after both the write and the drop time removes it.
      const after = Math.max(w.at, this.dropTime(w.expires));
      if (Number.isFinite(after)) {
        const run = (Math.floor(after / interval) + 1) * interval;
        if (run <= now) return undefined;
      }
    }
    return { ...w.expires };
  }

  /** update - psc_print_tests(): tests still new but off are written as disabled. */
  update(addr: string, expires: Expires, now: number): Expires {
    const written = { ...expires };
    for (const t of TESTS) if (!this.policy.enabled[t] && written[t] === 'new') written[t] = 'disabled';
    const list = this.writes.get(addr) ?? [];
    list.push({ at: now, expires: written });
    list.sort((a, b) => a.at - b.at);
    this.writes.set(addr, list);
    return written;
  }
}

/** entry - the trace form of an entry. */
export const entry = (client: string, expires: Expires | undefined): PostscreenCacheEntry | undefined => expires && { client, expires: { ...expires } };
