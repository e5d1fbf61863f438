/*
 * NAME
 *   incoming - files the user gives the page: picked, dropped, or a dropped folder
 * DESCRIPTION
 *   A dropped folder is walked (webkitGetAsEntry) so every file keeps its
 *   path inside the folder; picked folders carry webkitRelativePath. The
 *   bytes are read here and handed to archive.place(), which decides
 *   where each file goes.
 */
import type { Incoming } from '../../state/archive.ts';

const read = async (file: File, name = file.webkitRelativePath || file.name): Promise<Incoming> => ({ name, bytes: new Uint8Array(await file.arrayBuffer()) });

/** The files of an <input type=file> (with or without webkitdirectory). */
export function fromInput(list: FileList | null): Promise<Incoming[]> {
  return Promise.all(Array.from(list ?? []).map((f) => read(f)));
}

function entryFiles(entry: FileSystemEntry, prefix: string): Promise<Incoming[]> {
  if (entry.isFile)
    return new Promise((resolve, reject) =>
      (entry as FileSystemFileEntry).file((f) => void read(f, prefix + entry.name).then((i) => resolve([i]), reject), reject),
    );
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  return new Promise((resolve, reject) => {
    const all: FileSystemEntry[] = [];
    const next = (): void =>
      reader.readEntries((batch) => {
        if (batch.length === 0) void Promise.all(all.map((e) => entryFiles(e, `${prefix}${entry.name}/`))).then((r) => resolve(r.flat()), reject);
        else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

/** The files of a drop, folders walked. */
export async function fromDrop(data: DataTransfer): Promise<Incoming[]> {
  const entries = Array.from(data.items)
    .filter((i) => i.kind === 'file')
    .map((i) => i.webkitGetAsEntry?.() ?? null);
  if (entries.length > 0 && entries.every((e) => e !== null)) return (await Promise.all(entries.map((e) => entryFiles(e!, '')))).flat();
  return fromInput(data.files);
}
