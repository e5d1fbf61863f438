// A Host over in-memory files, for unit tests.
import type { Host } from '../../src/engine/index.ts';

export function memoryHost(files: Record<string, string | Uint8Array>, environment: Record<string, string> = {}): Host {
  const enc = new TextEncoder();
  return {
    readFile: (path) => {
      const f = files[path];
      return f === undefined ? undefined : typeof f === 'string' ? enc.encode(f) : f;
    },
    environment,
    loadSqlJs: async () => (await import('sql.js')).default(),
  };
}
