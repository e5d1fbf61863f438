// Types of postscreen-format.mjs (plain ESM shared by the postscreen recorder and a vitest harness).
export declare const DEFAULT_CLIENT: string;
export declare const DEFAULT_SERVER: string;
export declare const NON_CONFIG_FILES: readonly string[];
export declare const CLIENT_PORT_BASE: number;

/** One connection of a dialogues/NAME.smtp file. */
export interface RecordedConnectionSpec {
  client: string;
  name?: string;
  server: string;
  at?: number;
  pregreet?: string;
  pipelined: boolean;
  bareNewline: boolean;
  comments: string[];
  lines: string[];
  line: number;
}
export declare function unescapePregreet(text: string): { text: string } | { error: string };
/** Throws Error("WHERE:LINE: message") on bad input. */
export declare function parseConnections(text: string, where?: string): RecordedConnectionSpec[];
export declare function checkRecordable(connections: RecordedConnectionSpec[], where: string): void;
export declare function normalisePostscreenText(text: string): string;
