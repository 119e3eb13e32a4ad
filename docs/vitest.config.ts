import { defineProject, mergeConfig } from 'vitest/config';
import root from '../vitest.config.js';

export default mergeConfig(root, defineProject({ test: { include: ['test/**/*.test.ts'] } }));
