// Types of postconf-format.mjs (plain ESM shared by the recorder and the vitest harness).
export declare function parseCommands(text: string): string[][];
export declare function groupHostname(text: string | undefined): string | undefined;
