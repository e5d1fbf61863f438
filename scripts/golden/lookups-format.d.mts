// Types of lookups-format.mjs (plain ESM shared by the recorder and the vitest harness).
export declare const BUILT_TYPES: readonly string[];
export declare const BUILT_SUFFIX: Readonly<Record<string, string>>;
export declare const CONFIG_DIRECTORY: string;
export declare const RECORD_ENVIRONMENT: Readonly<Record<string, string>>;
export declare const PROGRAMS: readonly string[];
export type GoldenProgram = 'postmap' | 'postalias';
export interface GoldenQuery {
  program: GoldenProgram;
  kind: 'query' | 'batch' | 'argv';
  argv: string[];
  stdinFile: string | null;
  maps: string[];
  key: string | null;
  label: string;
  line: number;
}
export interface GoldenBuild {
  program: GoldenProgram;
  argv: string[];
  maps: string[];
  auto: boolean;
}
export declare function parseQueries(
  text: string,
  where?: string,
): { queries: GoldenQuery[]; builds: { program: GoldenProgram; argv: string[]; maps: string[]; line: number }[] };
export declare function splitMembers(inner: string): string[];
export declare function builtMaps(spec: string): string[];
export declare function sourceFile(map: string): string | null;
export declare function defaultDatabaseType(mainCf: string | undefined): string;
export declare function planGroup(
  text: string,
  fileExists: (name: string) => boolean,
  where?: string,
  defaultType?: string,
): { builds: GoldenBuild[]; queries: GoldenQuery[] };
