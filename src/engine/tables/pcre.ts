/* Placeholder: the pcre driver is being written. */
import { fatal, surrogateTable } from './shared/table.ts';
import type { TableDriver } from './types.ts';

/** The pcre: table driver. */
export const pcreDriver: TableDriver = {
  open(type, name) {
    return surrogateTable(type, name, fatal('pcre tables are not implemented yet'), false);
  },
};
