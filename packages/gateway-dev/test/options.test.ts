import { describe, expect, it } from 'vitest';
import { createGateway, isGatewayError } from '../src/index.js';
import type { GatewayOptions } from '../src/index.js';
import { KEY, startGateway } from './helpers.js';

async function failure(options: GatewayOptions): Promise<unknown> {
  return createGateway(options).then(
    async (gateway) => {
      await gateway.close();
      return undefined;
    },
    (err: unknown) => err,
  );
}

describe('createGateway options', () => {
  it.each<[string, unknown]>([
    ['no api keys', { apiKeys: [] }],
    ['a non-string key', { apiKeys: [1] }],
    ['a key both writable and read-only', { apiKeys: ['k'], readOnlyKeys: ['k'] }],
    ['a bad port', { apiKeys: ['k'], port: 70000 }],
    ['a zero point cap', { apiKeys: ['k'], maxPoints: 0 }],
    ['an infinite clock offset', { apiKeys: ['k'], clockOffsetMs: Infinity }],
    ['an unknown option', { apiKeys: ['k'], maxBytes: 5 }],
    ['an unknown live option', { apiKeys: ['k'], live: { intervalMS: 100 } }],
    ['a zero live interval', { apiKeys: ['k'], live: { intervalMs: 0 } }],
    ['live options without the dev endpoints', { apiKeys: ['k'], devEndpoints: false, live: {} }],
  ])('rejects %s with OPTIONS_INVALID', async (_name, options) => {
    const err = await failure(options as GatewayOptions);
    expect(isGatewayError(err, 'OPTIONS_INVALID')).toBe(true);
  });

  it('rejects with LISTEN_FAILED when the port is taken', async () => {
    const first = await startGateway();
    const err = await failure({ apiKeys: [KEY], port: first.port });
    expect(isGatewayError(err, 'LISTEN_FAILED')).toBe(true);
    expect((err as Error).message).toContain(String(first.port));
  });
});
