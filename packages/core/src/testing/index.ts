// `@fieldbridge/core/testing`: what the bridges' tests share. Never imported by the library.
export { describeSpoolConformance } from './spool-conformance.js';
export type { SpoolFactory, SpoolFactoryResult } from './spool-conformance.js';
export { describeBridgeConformance, CONFORMANCE_TEST_TIMEOUT_MS, type BridgeConformanceHarness, type ConformancePeer } from './bridge-conformance.js';
export { describeDecodeFixtures, type DecodeFixtureOptions } from './decode-fixtures.js';
export { createTestContext, type TestContext, type ProblemEvent } from './bridge-context.js';
export { startFaultProxy, type FaultProxy, type FaultProxyOptions, type ProxyMode } from './fault-proxy.js';
export { trackCleanups, writeTempFile, type Cleanup, type CleanupOptions, type CleanupTracker } from './cleanup.js';
export { createCollectingSink } from './collecting-sink.js';
export { expectSchemaInSync } from './schema-drift.js';
export { describeRefusals, expectRefusedAt, mappingRefusal, type ExpectedRefusal, type MappingRefusal, type RefusalCase } from './mapping-refusal.js';
export { seededRandom } from '../shared/seeded-random.js';
export { until } from './until.js';
export { captureIo, runBridgeCommand, type CapturedIo, type CommandResult } from './captured-io.js';
export { startCommand, type CommandProcess } from './command-process.js';
export { startSerialPair, type SerialPair } from './serial-pair.js';
export { makeTestCerts, type TestCerts } from './test-certs.js';
export { createGatedClock, type GatedClock } from './gated-clock.js';
export { captureLogs, type CapturedLogs, type LogLine } from './capture-logs.js';
