/*
 * NAME
 *   expect - expectations a configuration must meet, and their checker
 * DESCRIPTION
 *   types.ts is what a file says, format.ts parses it, judge.ts compares one expectation
 *   with an observation, check.ts runs a file against the simulator,
 *   library.ts knows the layout of a scenario directory.
 * SEE ALSO
 *   tests/golden/scenarios/README.md
 */
export { ADDRESS_KEYS, DEFAULT_SENDER } from './types.ts';
export type { AddressExpectation, AddressKey, ExpectFile, Expectation, LookupExpectation, ReplyPattern, SessionExpectation, SessionLine } from './types.ts';
export { parseExpectations, parseReply } from './format.ts';
export { globMatch, judge, replyMatches } from './judge.ts';
export type { AddressObservation, CheckResult, FinalObservation, LookupObservation, Observation, SessionObservation } from './judge.ts';
export { FACTS_FILE, checkExpectations, observe, scenarioOpener, sessionDialogue, syntaxResults } from './check.ts';
export type { ScenarioOpener } from './check.ts';
export {
  askedBy,
  EXPECT_SUFFIX,
  SCENARIO_README,
  SCENARIO_RECORDING,
  SOLUTION_DIRECTORY,
  isConfigurationFile,
  isExpectFile,
  parseScenarioReadme,
  withSolution,
} from './library.ts';
export type { Asked, ScenarioInfo } from './library.ts';
