export { describeSpoolConformance } from './spool-conformance.js';
export type { SpoolFactory, SpoolFactoryResult } from './spool-conformance.js';
