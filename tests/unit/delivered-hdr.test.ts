/*
 * local(8)'s Delivered-To: loop table (resolve/delivered-hdr.ts): what is read
 * from the message and how a recipient is looked up. The smtpd golden group
 * delivered-to-loop records the same rules from real Postfix end to end.
 */
import { describe, expect, it } from 'vitest';
import { deliveredHdrFind, deliveredHdrInit } from '../../src/engine/resolve/delivered-hdr.ts';

describe('deliveredHdrInit', () => {
  it('reads every Delivered-To: of the primary header, lower-cased, names in any case', () => {
    const d = deliveredHdrInit([
      'Received: from x',
      'Delivered-To: A@Example.ORG',
      'delivered-to:b@example.org',
      'Subject: t',
      '',
      'Delivered-To: body@example.org',
    ]);
    expect([...d]).toEqual(['a@example.org', 'b@example.org']);
  });
  it('takes the first line only, as it is: no unfolding, trailing blanks kept', () => {
    expect([...deliveredHdrInit(['Delivered-To:', ' root@example.org', 'Delivered-To: x@example.org '])]).toEqual(['', 'x@example.org ']);
  });
  it('stops at the first line that is neither a header nor a continuation', () => {
    expect([...deliveredHdrInit(['Subject: t', 'not a header', 'Delivered-To: a@example.org'])]).toEqual([]);
  });
  it('reads the value from just past the name and one character, as delivered_hdr_init()', () => {
    expect([...deliveredHdrInit(['Delivered-To : a@example.org'])]).toEqual([': a@example.org']);
  });
  it('keeps at most 1000 addresses', () => {
    const lines = Array.from({ length: 1005 }, (_, i) => `Delivered-To: u${i}@example.org`);
    const d = deliveredHdrInit(lines);
    expect(d.size).toBe(1000);
    expect(d.has('u1000@example.org')).toBe(false);
  });
});

describe('deliveredHdrFind', () => {
  it('looks up the recipient in external form, case-insensitively', () => {
    const d = deliveredHdrInit(['Delivered-To: "Quoted Alias"@Example.org', 'Delivered-To: root@example.org']);
    expect(deliveredHdrFind(d, 'quoted alias@example.org')).toEqual({ key: '"quoted alias"@example.org', found: true });
    expect(deliveredHdrFind(d, 'ROOT@example.org').found).toBe(true);
    expect(deliveredHdrFind(d, 'root+ext@example.org').found).toBe(false);
  });
});
