/*
 * A dropped folder: fromDrop walks the FileSystemEntry tree browsers hand a
 * drop (webkitGetAsEntry), with directory readers that answer in batches
 * and then with an empty batch, so every file keeps its path in the folder.
 * Playwright cannot synthesise a dropped folder, so this walks entries
 * shaped as Chromium gives them.
 */
import { describe, expect, it } from 'vitest';
import { fromDrop } from '../../src/ui/panes/files/incoming.ts';

type Tree = { [name: string]: string | Tree };

/** An entry as the File and Directory Entries API gives it; readers answer two entries per batch. */
function entry(name: string, node: string | Tree): FileSystemEntry {
  if (typeof node === 'string')
    return { isFile: true, isDirectory: false, name, file: (ok: (f: File) => void) => ok(new File([node], name)) } as unknown as FileSystemEntry;
  const children = Object.entries(node).map(([n, c]) => entry(n, c));
  return {
    isFile: false,
    isDirectory: true,
    name,
    createReader: () => {
      let at = 0;
      return { readEntries: (ok: (b: FileSystemEntry[]) => void) => ok(children.slice(at, (at += 2))) };
    },
  } as unknown as FileSystemEntry;
}

const drop = (entries: FileSystemEntry[], files: File[] = []): DataTransfer =>
  ({ items: entries.map((e) => ({ kind: 'file', webkitGetAsEntry: () => e })), files }) as unknown as DataTransfer;

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('fromDrop', () => {
  it('walks a dropped folder, batches and subfolders included, keeping paths', async () => {
    const postfix = { 'main.cf': 'a = 1\n', 'master.cf': '', transport: 'x y\n', sql: { 'x.cf': 'query = q\n', 'y.cf': '' }, 'access.db': 'bin' };
    const got = await fromDrop(drop([entry('postfix', postfix), entry('extra', 'z\n')]));
    expect(got.map((i) => i.name).sort()).toEqual([
      'extra',
      'postfix/access.db',
      'postfix/main.cf',
      'postfix/master.cf',
      'postfix/sql/x.cf',
      'postfix/sql/y.cf',
      'postfix/transport',
    ]);
    expect(text(got.find((i) => i.name === 'postfix/sql/x.cf')!.bytes)).toBe('query = q\n');
  });

  it('falls back to the plain file list when the browser gives no entries', async () => {
    const dt = { items: [{ kind: 'file', webkitGetAsEntry: () => null }], files: [new File(['k v\n'], 'access')] } as unknown as DataTransfer;
    const got = await fromDrop(dt);
    expect(got.map((i) => [i.name, text(i.bytes)])).toEqual([['access', 'k v\n']]);
  });

  it('a folder that cannot be read rejects, it does not hang', async () => {
    const broken = {
      isFile: false,
      isDirectory: true,
      name: 'd',
      createReader: () => ({ readEntries: (_ok: unknown, fail: (e: Error) => void) => fail(new Error('NotReadableError')) }),
    };
    await expect(fromDrop(drop([broken as unknown as FileSystemEntry]))).rejects.toThrow('NotReadableError');
  });
});
