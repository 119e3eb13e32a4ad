import { defineProject, mergeConfig } from 'vitest/config';
import root from '../../vitest.config.js';

// Files share their worker's modules (isolate: false): node-opcua then loads once per worker
// rather than once per file (about 2 s of CPU each time, its RSA self-test included).
// A hook that starts a server makes its certificate and key first, and loads node-opcua in a fresh
// worker: on a loaded machine that alone has taken 30 s.
export default mergeConfig(root, defineProject({ test: { include: ['src/**/*.test.ts', 'test/**/*.test.ts'], isolate: false, hookTimeout: 90_000 } }));
