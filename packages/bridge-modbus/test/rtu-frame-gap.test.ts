import { createTestContext, startSerialPair, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { rtuFrameGapMs } from '../src/_frame-gap.js';
import { createModbusSource, type ModbusSource } from '../src/source.js';
import { section } from './helpers/mapping.js';
import { startSerialOverTcp } from './helpers/serial-over-tcp.js';
import { startStrictRtuPeer } from './helpers/strict-rtu-peer.js';

const track = trackCleanups();

/** Units 1 and 2 on `url`, each read at holding 0 and 100, polled twice: the context, with the points. */
async function pollTwice(url: string) {
  const config = section({
    devices: [1, 2].map((unit) => ({
      name: `u${unit}`, connection: url, unit_id: unit, timeout_ms: 500, retries: 0,
      points: [{ metric: `u${unit}.a`, table: 'holding', address: 0 }, { metric: `u${unit}.b`, table: 'holding', address: 100 }],
    })),
  });
  const t = createTestContext();
  const src = track.add(createModbusSource(config, t.ctx), (s: ModbusSource) => s.stop());
  await src.once();
  await src.once();
  return t;
}

describe('the silence between frames on an RTU line', () => {
  it('is 3.5 characters of 11 bits, and 1.75 ms above 19200 baud, as the serial line specification says', () => {
    expect(rtuFrameGapMs(9600)).toBeCloseTo(4.0104, 4);
    expect(rtuFrameGapMs(1200)).toBeCloseTo(32.083, 3);
    expect(rtuFrameGapMs(19200)).toBeCloseTo(2.0052, 4);
    expect(rtuFrameGapMs(38400)).toBe(1.75);
  });

  it('is kept before every request, so units that find frames by silence answer every one, over a socat pair', async () => {
    const pair = track.add(await startSerialPair({ dir: await track.tempDir('fieldbridge-modbus-gap-') }), (p) => p.close());
    // At 1200 baud the gap is 32 ms: a request sent at once after an answer is heard as its tail.
    const peer = track.add(await startStrictRtuPeer(pair.b, [1, 2], rtuFrameGapMs(1200)), (p) => p.close());
    const t = await pollTwice(`rtu://${pair.a}?baud=1200`);
    expect(peer.tooSoon).toBe(0);
    expect(peer.answered).toBe(8);
    expect(t.valuesOf('u1.a')).toEqual([1000, 1000]);
    expect(t.valuesOf('u1.b')).toEqual([1100, 1100]);
    expect(t.valuesOf('u2.a')).toEqual([2000, 2000]);
    expect(t.valuesOf('u2.b')).toEqual([2100, 2100]);
  });

  it('is kept over RTU over TCP at the converter\'s baud, so units behind a transparent converter answer every request (socat as the converter)', async () => {
    const converter = track.add(await startSerialOverTcp(await track.tempDir('fieldbridge-modbus-gap-tcp-')), (c) => c.close());
    // The converter's serial side runs at 1200 baud: 32 ms of silence on its bus. Its bytes go out
    // as they come, so a request sent at once after an answer reaches the bus as its tail.
    const peer = track.add(await startStrictRtuPeer(converter.path, [1, 2], rtuFrameGapMs(1200)), (p) => p.close());
    const t = await pollTwice(`rtu+tcp://127.0.0.1:${converter.port}?baud=1200`);
    expect(peer.tooSoon).toBe(0);
    expect(peer.answered).toBe(8);
    expect(t.valuesOf('u1.b')).toEqual([1100, 1100]);
    expect(t.valuesOf('u2.a')).toEqual([2000, 2000]);
  });
});
