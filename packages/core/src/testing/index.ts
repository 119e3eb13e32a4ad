export { describeSpoolConformance } from './spool-conformance.js';
export type { SpoolFactory, SpoolFactoryResult } from './spool-conformance.js';
export { createTestContext, type TestContext, type ProblemEvent } from './bridge-context.js';
export { expectRefusedAt, mappingRefusal, type ExpectedRefusal, type MappingRefusal } from './mapping-refusal.js';
