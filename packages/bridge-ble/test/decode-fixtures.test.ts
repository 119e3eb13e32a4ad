import { describeDecodeFixtures } from '@fieldbridge/core/testing';
import { channelName } from '../src/_tracked-device.js';
import { parseRecordLine } from '../src/advert/record.js';
import { bleBridge } from '../src/bridge.js';
import type { BleConfig } from '../src/config.js';
import { decodeAdvertPoints } from '../src/decode.js';
import { BthomeState } from '../src/decode/bthome-state.js';
import { createMatcher } from '../src/match.js';
import { resolveBle } from '../src/resolve.js';

/**
 * Decodes a fixture the way the source does, advert by advert with one BTHome memory: find the
 * device entry, decode to points. Each advert gives its channel (none when no entry matched), its
 * full points and its problems (kind and device; the wording is the README's business).
 */
function decodeFixture(section: BleConfig, input: Buffer): unknown[] {
  const { config } = resolveBle(section);
  const matcher = createMatcher(config.devices);
  const state = new BthomeState();
  return input
    .toString('utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line, i) => {
      const parsed = parseRecordLine(line);
      if (!parsed.ok) throw new Error(`line ${i + 1}: ${parsed.reason}`);
      const device = matcher.match(parsed.advert);
      if (!device) return { points: [], problems: [] };
      const result = decodeAdvertPoints(parsed.advert, device, state);
      return {
        device: channelName(device, parsed.advert.address),
        points: result.points,
        problems: result.problems.map(({ kind, device: name, address }) => ({ kind, device: name, address })),
        ...(result.duplicate ? { duplicate: true } : {}),
      };
    });
}

// Fixtures made by test/fixtures/generate.py from the formats' published examples and from
// values chosen by hand and encoded with Python's struct and cryptography (see each map.yaml).
describeDecodeFixtures({
  dir: new URL('./fixtures/decode/', import.meta.url),
  definition: bleBridge,
  input: 'adverts.ndjson',
  decode: (section, input) => decodeFixture(section as BleConfig, input),
  required: [
    'bthome-objects', 'bthome-examples', 'bthome-packet-id', 'bthome-problems', 'bthome-encrypted', 'bthome-wrong-key', 'bthome-no-key',
    'ruuvi-rawv2', 'atc1441', 'pvvx', 'pvvx-encrypted-key', 'atc1441-encrypted-key', 'xiaomi-wrong-key', 'pvvx-silent-counter', 'ibeacon', 'eddystone', 'custom-manufacturer', 'custom-service', 'matching',
  ],
});
