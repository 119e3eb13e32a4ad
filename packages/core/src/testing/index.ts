// `@fieldbridge/core/testing`: what the bridges' tests share. Never imported by the library.
export { describeSpoolConformance } from './spool-conformance.js';
export type { SpoolFactory, SpoolFactoryResult } from './spool-conformance.js';
export { describeBridgeConformance, type BridgeConformanceHarness, type ConformancePeer } from './bridge-conformance.js';
export { describeDecodeFixtures, type DecodeFixtureOptions } from './decode-fixtures.js';
export { createTestContext, type TestContext, type ProblemEvent } from './bridge-context.js';
export { startFaultProxy, type FaultProxy, type FaultProxyOptions, type ProxyMode } from './fault-proxy.js';
export { trackCleanups, writeTempFile, type Cleanup, type CleanupTracker } from './cleanup.js';
export { createCollectingSink } from './collecting-sink.js';
export { expectSchemaInSync } from './schema-drift.js';
export { expectRefusedAt, mappingRefusal, describeRefusedMappings, type ExpectedRefusal, type MappingRefusal, type RefusedMapping } from './mapping-refusal.js';
