import { fatal, surrogateTable } from './shared/table.ts';
import type { TableDriver } from './types.ts';
export const unionmapDriver: TableDriver = { open: (t, n) => surrogateTable(t, n, fatal('todo')) };
export const pipemapDriver = unionmapDriver;
