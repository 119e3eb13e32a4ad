import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { prettyStream } from '../src/shared/_pretty.js';
import { createProblemReporter, FLAP_WINDOW_MS } from '../src/shared/problems.js';

function logged(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('logging problems (issue 10 #16, #17)', () => {
  it('#17: a problem that flaps is logged once a minute at most, not at every return', () => {
    let now = 0;
    const { logger, lines } = logged();
    const problems = createProblemReporter(logger, () => now);
    for (let i = 0; i < 50; i++) {
      problems.report('link', 'connection lost');
      now += 100;
      problems.resolve('link', 'connected');
      now += 100;
    }
    expect(lines.filter((l) => l.includes('connection lost'))).toHaveLength(1);
    now += FLAP_WINDOW_MS;
    problems.report('link', 'connection lost');
    expect(lines.filter((l) => l.includes('connection lost'))).toHaveLength(2);
  });

  it('the last occurrence there will be (a --once cycle ends at it) is logged without the note that further ones are counted', () => {
    const { logger, lines } = logged();
    const problems = createProblemReporter(logger);
    problems.report('refused', 'certificate refused; not tried again', undefined, { last: true });
    problems.report('lost', 'connection lost');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([
      'certificate refused; not tried again',
      'connection lost (further occurrences are counted, not logged, until it recovers)',
    ]);
  });

  it('a problem back within the minute with another message (another cause) is logged, with its end', () => {
    let now = 0;
    const { logger, lines } = logged();
    const problems = createProblemReporter(logger, () => now);
    problems.report('delivery', 'sending failed: connect ECONNREFUSED');
    now += 5_000;
    problems.resolve('delivery', 'delivering again');
    now += 9_000;
    problems.report('delivery', 'sending failed: HTTP 429 (request 0b1c2d3e-12ab)');
    now += 8_000;
    problems.resolve('delivery', 'delivering again');
    expect(lines.filter((l) => l.includes('sending failed'))).toHaveLength(2);
    expect(lines.filter((l) => l.includes('delivering again'))).toHaveLength(2);
    // The same cause back within the minute is still only counted, whatever request id it carries.
    now += 1_000;
    problems.report('delivery', 'sending failed: HTTP 429 (request 5f3a9c1e-77aa)');
    expect(lines.filter((l) => l.includes('sending failed'))).toHaveLength(2);
  });

  it('a measurement in the message (a poll that took 27 ms, then 31 ms) is the same cause: not logged again within the minute', () => {
    let now = 0;
    const { logger, lines } = logged();
    const problems = createProblemReporter(logger, () => now);
    for (const [i, took] of [27, 31, 26.5, 140].entries()) {
      problems.report('modbus.plc1.overrun', `plc1: a poll took ${took} ms, longer than poll_ms 20; polling back to back`);
      now += 100 + i;
      problems.resolve('modbus.plc1.overrun');
      now += 100;
    }
    expect(lines).toHaveLength(2);
    // A setting that differs is another cause; so is a status code.
    problems.report('modbus.plc1.overrun', 'plc1: a poll took 27 ms, longer than poll_ms 50; polling back to back');
    problems.resolve('modbus.plc1.overrun');
    problems.report('http', 'HTTP 503');
    problems.resolve('http');
    problems.report('http', 'HTTP 500');
    expect(lines).toHaveLength(7);
  });

  it('#16: messages and fields a peer filled are bounded and printable', () => {
    const { logger, lines } = logged();
    createProblemReporter(logger).report('k', `bad frame ${'z'.repeat(100_000)}`, { topic: `t\n${'q'.repeat(10_000)}` });
    expect(lines[0]!.length).toBeLessThan(3000);
    expect(lines[0]).not.toContain('\\n');
  });

  it('#16: readable logs strip control characters, so a peer cannot forge lines or send escape codes', () => {
    let out = '';
    const tty = new Writable({
      write(chunk: Buffer, _e, done) {
        out += chunk.toString();
        done();
      },
    }) as unknown as NodeJS.WriteStream;
    const logger = pino({ level: 'info' }, prettyStream(tty));
    logger.warn({ topic: 'a\u001b[2J' }, 'frame from peer:\n12:00:00 ERROR forged line\u001b[31m');
    expect(out.split('\n').filter(Boolean)).toHaveLength(1);
    expect(out).not.toContain('\u001b');
  });
});
