// Types of scenarios-format.mjs (plain ESM shared by the recorder and the vitest harness).
export interface ScenarioLayout {
  isConfigurationFile(path: string): boolean;
  withSolution(files: Readonly<Record<string, string>>, solution: Readonly<Record<string, string>>): Record<string, string>;
  SOLUTION_DIRECTORY: string;
}
export declare function filesOf(dir: string, under?: string): string[];
export declare function configurationSources(dir: string, layout: ScenarioLayout): Record<string, Record<string, string>>;
export declare function digest(sources: Readonly<Record<string, string>>): Record<string, string>;
