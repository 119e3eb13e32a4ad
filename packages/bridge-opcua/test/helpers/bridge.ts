import type { CleanupTracker, TestContext } from '@fieldbridge/core/testing';
import { createTestContext } from '@fieldbridge/core/testing';
import { expect } from 'vitest';
import { checkOpcua } from '../../src/check.js';
import { opcuaConfigSchema, type OpcuaConfig } from '../../src/config.js';
import { createOpcuaSource, type OpcuaSource } from '../../src/source.js';

/** Settings that keep a test's bridge quick: short publishing, keep-alive and backoff. */
export const QUICK = {
  publishing_interval_ms: 20,
  keep_alive_ms: '500ms',
  connect_timeout_ms: '3s',
  reconnect: { initial_ms: '50ms', max_ms: '400ms' },
} as const;

/** A section validated and checked as the mapping loader would (which refuses errors, not warnings). */
export function sectionOf(raw: Record<string, unknown>): OpcuaConfig {
  const config = opcuaConfigSchema.parse(raw);
  expect(checkOpcua(config).filter((issue) => !issue.warning)).toEqual([]);
  return config;
}

/** The bridge's source on a test context, stopped after the test; started unless `start: false`. */
export async function runSource(
  track: CleanupTracker,
  raw: Record<string, unknown>,
  options: { start?: boolean; stateDir?: string; stableMs?: number; logger?: TestContext['ctx']['logger'] } = {},
): Promise<{ t: TestContext; source: OpcuaSource; config: OpcuaConfig }> {
  const config = sectionOf({ ...QUICK, ...raw });
  const t = createTestContext({ bridge: 'opcua', ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir }) });
  track.defer(() => t.abort.abort());
  if (options.logger) t.ctx.logger = options.logger;
  const source = track.add(createOpcuaSource(config, t.ctx, { stableMs: options.stableMs ?? 30_000 }), (s) => s.stop());
  if (options.start !== false) await source.start();
  return { t, source, config };
}

/** The points of `metric` so far. */
export function pointsOf(t: TestContext, metric: string): TestContext['points'] {
  return t.points.filter((p) => p.metric === metric);
}

/** Resolves with the first point (written already or still to come) matching `match`. */
export async function pointWhere(t: TestContext, match: (p: TestContext['points'][number]) => boolean, what: string): Promise<TestContext['points'][number]> {
  await t.waitFor(() => t.points.some(match), what);
  return t.points.find(match)!;
}
