/*
 * NAME
 *   cidr-index - the prefix indexes of cidr: rule runs
 * DESCRIPTION
 *   Per prefix length, a masked network maps to the first rule with that
 *   network: int32 keys for IPv4 (open addressing on typed arrays, cheap to
 *   build for 100k rules), short strings for IPv6.
 */

/**
 * An int32 key to first rule number table, open addressing on typed arrays:
 * several times cheaper to build than a Map of 100k entries, and no garbage.
 */
export class IntIndex {
  private bits = 4;
  private keys = new Int32Array(16);
  /** Rule number + 1; 0 marks an empty slot. */
  private vals = new Int32Array(16);
  private size = 0;

  constructor(readonly mask: number) {}

  private slot(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> (32 - this.bits);
  }

  /** addFirst - maps `key` to `n` unless it is already mapped (first match wins). */
  addFirst(key: number, n: number): void {
    if (this.size * 2 >= this.keys.length) this.grow();
    const m = this.keys.length - 1;
    let h = this.slot(key);
    while (this.vals[h] !== 0) {
      if (this.keys[h] === key) return;
      h = (h + 1) & m;
    }
    this.keys[h] = key;
    this.vals[h] = n + 1;
    this.size++;
  }

  /** get - the rule number of `key`, or -1. */
  get(key: number): number {
    const m = this.keys.length - 1;
    for (let h = this.slot(key); ; h = (h + 1) & m) {
      const v = this.vals[h]!;
      if (v === 0 || this.keys[h] === key) return v - 1;
    }
  }

  private grow(): void {
    const { keys, vals } = this;
    this.bits++;
    this.keys = new Int32Array(1 << this.bits);
    this.vals = new Int32Array(1 << this.bits);
    this.size = 0;
    for (let i = 0; i < keys.length; i++) if (vals[i] !== 0) this.addFirst(keys[i]!, vals[i]! - 1);
  }
}

/** v6Key - the first `shift` bits of an IPv6 address as a map key, two bytes a character. */
export function v6Key(b: Uint8Array, shift: number): string {
  const n = (shift + 7) >> 3;
  const last = shift & 7 ? (0xff << (8 - (shift & 7))) & 0xff : 0xff;
  let key = '';
  for (let i = 0; i < n; i += 2) {
    const hi = i === n - 1 ? b[i]! & last : b[i]!;
    const lo = i + 1 < n ? (i + 1 === n - 1 ? b[i + 1]! & last : b[i + 1]!) : 0;
    key += String.fromCharCode((hi << 8) | lo);
  }
  return key;
}
