import { describe, expect, it } from 'vitest';
import { emptyPortMessage, hasEmptyPort } from '../src/bridge/empty-port.js';

describe('hasEmptyPort', () => {
  it('finds a ":" with nothing after it in the authority, and nothing else', () => {
    for (const url of ['tcp://host:', 'tcp://[::1]:', 'opc.tcp://plc:/UA', 'ws://h:?x=1', 'mqtt://h:#f']) expect(hasEmptyPort(url), url).toBe(true);
    for (const url of ['tcp://host', 'tcp://host:502', 'tcp://[::1]', 'tcp://[::1]:502', 'ws://h/a:b', 'serial:///dev/ttyUSB0', 'no-url', 'udpin://:14550']) expect(hasEmptyPort(url), url).toBe(false);
  });

  it('says so without the password of a URL that carries one', () => {
    expect(emptyPortMessage('tcp://plc:S3CR3T-pw@10.0.0.5:', 502)).toBe('"tcp://***@10.0.0.5:" has an empty port after ":" (an unset variable?); write the port, or leave out ":" for the default 502');
  });
});
