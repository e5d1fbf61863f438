/*
 * NAME
 *   postfix-sim engine - the only public entry of the engine
 * DESCRIPTION
 *   The UI, the CLI and library users import from here and nowhere else.
 */
export type { Diagnostic, LookupResult, LookupTrace, RuleMatch, Severity, RegexEngineName } from './trace/types.ts';
export type { BuildFlags, DuplicateMode, Host, OpenOptions, Table, TableDriver } from './tables/types.ts';
export { decodeBytes, encodeBytes, byteLength } from './util/bytes.ts';
export { fileContent, fileValue } from './tables/dict-file.ts';
export { DEBIAN_POSTFIX_TYPES, DRIVERS, INDEXED_TYPES, openTable, splitSpec } from './tables/registry.ts';
export { printable } from './trace/printable.ts';
export { smtpdEventText, sourceText } from './trace/smtpd-text.ts';
export { postscreenEventText, cacheEntryText } from './trace/postscreen-text.ts';
export type { PostscreenEventText } from './trace/postscreen-text.ts';
export type { SmtpdEventText } from './trace/smtpd-text.ts';
export { loadMainCf, serviceView, getServiceParams } from './config/maincf.ts';
export type { MainCf, ParameterView, ParameterGetters } from './config/maincf.ts';
export { macExpand, compatLevelFromString } from './config/expand.ts';
export type { Expansion, MacLookup } from './config/expand.ts';
export { splitList, stripBraces, LIST_SEPARATORS } from './util/lists.ts';
export { parseMasterCf, findService, effectiveChroot } from './config/mastercf.ts';
export type { MasterCf, MasterService } from './config/mastercf.ts';
export { DEFAULT_FACTS, builtinDefault, compareCompatLevels, isBuiltinParameter, serviceParameters } from './config/names.ts';
export type { MachineFacts, InterfaceAddress, ParamName } from './config/names.ts';
export { postconfShow } from './config/postconf.ts';
export { checkParameters, myoriginOf, CHECKED_PROGRAMS, PROGRAM_READS } from './config/checks.ts';
export { daemonView, daemonViews, mailDaemonViews, DAEMON_SERVICES } from './config/daemons.ts';
export { SIMULATED, coverageRows, isOperational, notSimulated, notSimulatedNotices } from './config/coverage.ts';
export type { CoverageRow } from './config/coverage.ts';
export type { Daemon, DaemonView, MailDaemonViews } from './config/daemons.ts';
export type { CheckResult as ParameterCheckResult, CheckOptions as ParameterCheckOptions } from './config/checks.ts';
export type { PostconfRequest, PostconfOutput } from './config/postconf.ts';
export {
  prepareSmtpd,
  runClient,
  runSession,
  loadSmtpdConfig,
  parseDialogue,
  parseDnsFacts,
  parseFacts,
  lookupPeer,
  NO_DNS,
  NO_FACTS,
  RESTRICTION_NAMES,
} from './smtpd/index.ts';
export type {
  AcceptedMessage,
  ClientFacts,
  Dialogue,
  DnsFacts,
  DnsRecord,
  Exchange,
  LogLine,
  OutsideFacts,
  SessionOptions,
  SessionResult,
  SimulateSmtpdOptions,
  SmtpdConfig,
} from './smtpd/index.ts';
export type {
  SmtpdEvent,
  SmtpdEventData,
  SmtpdEventOf,
  SourceLine,
  CheckVerdict,
  RestrictionStage,
  AccessEffect,
  DnsRecordType,
  DnsQueryStatus,
  VerifyFactStatus,
} from './trace/types.ts';
export {
  createResolver,
  RESOLVE,
  RESOLVE_CLASS_FINAL,
  classOf,
  DEBIAN_AGENTS,
  agentsFromMasterCf,
  parseTransportEntry,
  updateEntry,
  commandLineAddress,
} from './resolve/index.ts';
export type {
  Resolver,
  ResolverOptions,
  Program,
  ResolveReply,
  DeliveryResult,
  FinalRecipient,
  AgentReport,
  DeliveryTarget,
  Agent,
  RewriteRule,
} from './resolve/index.ts';
export {
  aliasDatabaseHost,
  createSearchContext,
  createTableCache,
  daemonOpenOptions,
  isFixedTable,
  openAliasTable,
  openMatchList,
  matchParentStyle,
  openMaps,
  makeMaps,
  MA_FIND,
  MA_FIND_DEFAULT,
  mailAddrFind,
  splitExtension,
  stripExtension,
  quote822Local,
  unquote822Local,
  CONSUMERS,
  lookupAs,
  externalForm,
} from './search/index.ts';
export type {
  SearchContext,
  TableCache,
  TableFlags,
  MatchList,
  MatchListKind,
  MatchListResult,
  Maps,
  MapsResult,
  AddrFindOptions,
  AddrFindResult,
  QueryForm,
  QuoteOptions,
  Consumer,
  ConsumerLookup,
  ConsumerOptions,
} from './search/index.ts';
export type { AddressEvent, AddressClass, AddrFindTrace, MapsTrace, MatchListTrace, ListItemTrace } from './trace/types.ts';
export { mailOutcome } from './smtpd/index.ts';
export type { Delivery, MailOutcome } from './smtpd/index.ts';
export { parseConnections, prepareConnections, runConnections, unescapePregreet } from './connections/index.ts';
export type {
  ConnectionDialogue,
  ConnectionResult,
  ConnectionSpec,
  ConnectionsOptions,
  PreparedConnections,
  RunConnectionsOptions,
} from './connections/index.ts';
export { preparePostscreen, Postscreen, TESTS as POSTSCREEN_TESTS } from './postscreen/index.ts';
export type { PostscreenConfig, PostscreenOptions, ConnectionInput, ScreenResult } from './postscreen/index.ts';
export type {
  DnsblScore,
  DnsblSiteScore,
  PostscreenAction,
  PostscreenCacheEntry,
  PostscreenExpiry,
  PostscreenTestName,
  PostscreenTestResult,
  PostscreenVerdict,
  PostscreenEvent,
  PostscreenEventOf,
  PostscreenEventData,
  PostscreenOutcome,
  PostscreenDecider,
  PostscreenAclResult,
} from './trace/types.ts';
export { DEBIAN_PASSWD, PASSWD_FACTS } from './tables/unix.ts';
export { openScenario, CONFIG_DIRECTORY } from './scenario/scenario.ts';
export type {
  Scenario,
  ScenarioOptions,
  ClientInput,
  PlayOptions,
  PlayOutcome,
  ConnectionsPlayOptions,
  ConnectionsPlayResult,
  PlayRefused,
  PlayResult,
  ResolvedAddress,
  ResolveResult,
  ScenarioLookup,
} from './scenario/scenario.ts';
export type { ScenarioNotices } from './scenario/notices.ts';
export {
  ADDRESS_KEYS,
  askedBy,
  DEFAULT_SENDER,
  EXPECT_SUFFIX,
  FACTS_FILE,
  SCENARIO_README,
  SCENARIO_RECORDING,
  SOLUTION_DIRECTORY,
  checkExpectations,
  globMatch,
  isConfigurationFile,
  isExpectFile,
  judge,
  observe,
  parseExpectations,
  parseReply,
  parseScenarioReadme,
  replyMatches,
  scenarioOpener,
  sessionDialogue,
  syntaxResults,
  withSolution,
} from './expect/index.ts';
export type {
  AddressExpectation,
  Asked,
  AddressKey,
  AddressObservation,
  CheckResult,
  ExpectFile,
  Expectation,
  FinalObservation,
  LookupExpectation,
  LookupObservation,
  Observation,
  ReplyPattern,
  ScenarioInfo,
  ScenarioOpener,
  SessionExpectation,
  SessionLine,
  SessionObservation,
} from './expect/index.ts';
