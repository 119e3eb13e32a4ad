import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSink } from '../src/index.js';
import { captureLogger, fastRetry, startGateway } from './helpers/ws-sink.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('proxy variables', () => {
  it('HTTPS_PROXY is not used, and the log says so, naming the host data goes to directly', async () => {
    const gateway = await startGateway();
    vi.stubEnv('HTTPS_PROXY', 'http://proxy.invalid:3128');
    const { logger, lines } = captureLogger();
    const s = createSink({ url: gateway.url, apiKey: 'ws-key', sourceId: 'proxy-env', registry: new Registry(), logger, retry: fastRetry, batch: { lingerMs: 5 }, deadLetterPath: '/dev/null' });
    try {
      s.send('m', 1);
      await s.flush();
      expect(gateway.points({ metric: 'm' })).toHaveLength(1);
      const warning = lines().find((l) => /HTTPS_PROXY is set/.test(l.msg));
      expect(warning).toMatchObject({ level: 40, msg: expect.stringContaining(`connects directly to ${new URL(gateway.url).host}`) });
    } finally {
      await s.close();
    }
  });
});
