/* Placeholder: the cidr driver is being written. */
import { fatal, surrogateTable } from './shared/table.ts';
import type { TableDriver } from './types.ts';

/** The cidr: table driver. */
export const cidrDriver: TableDriver = {
  open(type, name) {
    return surrogateTable(type, name, fatal('cidr tables are not implemented yet'), false);
  },
};
