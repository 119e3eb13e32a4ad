import { describe, expect, it } from 'vitest';
import { captureLogs, createTestContext } from '../src/testing/index.js';

describe('captureLogs', () => {
  it('keeps each line parsed, from its level up, and filters messages by level', () => {
    const { logger, lines, messages } = captureLogs('info');
    logger.debug('not kept');
    logger.info({ device: 'plc' }, 'connected');
    logger.warn('slow answer');
    expect(lines()).toMatchObject([
      { level: 30, msg: 'connected', device: 'plc' },
      { level: 40, msg: 'slow answer' },
    ]);
    expect(messages()).toEqual(['connected', 'slow answer']);
    expect(messages('warn')).toEqual(['slow answer']);
  });

  it("is a test context's logger: what the bridge, its problems and its channels log is there to read", () => {
    const t = createTestContext({ bridge: 'demo' });
    t.ctx.logger.info('started');
    t.ctx.problems.report('demo.plc.timeout', 'plc did not answer');
    expect(t.logs.messages()).toEqual(['started', 'plc did not answer (further occurrences are counted, not logged, until it recovers)']);
    expect(t.logs.messages('warn')).toEqual(['plc did not answer (further occurrences are counted, not logged, until it recovers)']);
  });
});
