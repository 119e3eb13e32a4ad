// RSSI 127 is what a controller reports when it could not measure the signal (the Bluetooth Core
// Specification's LE Advertising Report: "127: RSSI is not available"): no rssi point, no 127 dBm
// in --scan. And a replay file saved with a byte-order mark keeps its first record.
import { describe, expect, it } from 'vitest';
import { parseRecordLine } from '../src/advert/record.js';
import { BthomeState } from '../src/decode/bthome-state.js';
import { decodeAdvert } from '../src/decode/decode-advert.js';
import { formatScan } from '../src/scan-format.js';
import { createSurvey } from '../src/survey.js';

// pvvx custom format, by hand: a4:c1:38:12:34:56 reversed, 21.50 °C (0x0866), 45.00 % (0x1194), 2.950 V (0x0b86), 85 %, counter 7, flags 0.
const line = (rssi: number) =>
  `{"t":1767225600000,"address":"a4:c1:38:12:34:56","address_type":"public","rssi":${rssi},"service_data":[{"uuid":"181a","data":"56341238c1a466089411860b550700"}]}`;

describe('RSSI not available (127)', () => {
  it('gives no rssi measurement, where a measured one gives its dBm', () => {
    const read = (rssi: number) => {
      const parsed = parseRecordLine(line(rssi));
      if (!parsed.ok) throw new Error(parsed.reason);
      return decodeAdvert(parsed.advert, { decoder: 'pvvx', state: new BthomeState(), rssi: true }).measurements;
    };
    expect(read(-67)).toContainEqual({ measurement: 'rssi', value: -67, unit: 'dBm' });
    const unavailable = read(127);
    expect(unavailable.map((m) => m.measurement)).not.toContain('rssi');
    expect(unavailable).toContainEqual(expect.objectContaining({ measurement: 'temperature', value: 21.5 }));
  });

  it('is left out of --scan\'s signal range', () => {
    const survey = createSurvey(undefined);
    const advert = (address: string, rssi: number) => ({ t: 0, address, addressType: 'random' as const, rssi });
    survey.advert(advert('aa:bb:cc:dd:ee:01', 127));
    survey.advert(advert('aa:bb:cc:dd:ee:02', -70));
    survey.advert(advert('aa:bb:cc:dd:ee:02', 127));
    survey.advert(advert('aa:bb:cc:dd:ee:02', -60));
    const rows = formatScan(survey.result(), { heardFrom: 'a test' }).split('\n').filter((l) => l.startsWith('aa:'));
    expect(Object.fromEntries(rows.map((r) => r.split(/\s{2,}/)).map((c) => [c[0], c[4]]))).toEqual({ 'aa:bb:cc:dd:ee:01': '-', 'aa:bb:cc:dd:ee:02': '-70..-60' });
  });
});

describe('a replay file with a byte-order mark', () => {
  it('reads its first record', () => {
    const parsed = parseRecordLine(`\ufeff${line(-67)}`);
    expect(parsed.ok && parsed.advert.address).toBe('a4:c1:38:12:34:56');
  });
});
