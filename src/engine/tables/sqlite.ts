/* Placeholder: the sqlite driver is being written. */
import { fatal, surrogateTable } from './shared/table.ts';
import type { TableDriver } from './types.ts';

/** The sqlite: table driver. */
export const sqliteDriver: TableDriver = {
  open(type, name) {
    return surrogateTable(type, name, fatal('sqlite tables are not implemented yet'), false);
  },
};
