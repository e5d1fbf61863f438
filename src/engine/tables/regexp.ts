/* Placeholder: the regexp driver is being written. */
import { fatal, surrogateTable } from './shared/table.ts';
import type { TableDriver } from './types.ts';

/** The regexp: table driver. */
export const regexpDriver: TableDriver = {
  open(type, name) {
    return surrogateTable(type, name, fatal('regexp tables are not implemented yet'), false);
  },
};
