// Adverts of each format for the BLE decode benchmark, built with the bridge's simulator
// encoders from values a seeded generator picks (the same corpus every run).
import {
  encodeAtc1441, encodeBthome, encodeHeartRate, encodeIbeacon, encodePvvx, encodeRuuvi, encryptBthome, parseBindKey,
} from '@fieldbridge/bridge-ble';
import { seededRandom } from '@fieldbridge/core';

export const CORPUS_SIZE = 1000;
export const BIND_KEY = '231d39c1d7cc1ab1aee224cd096db932';

const seeded = seededRandom;

const base = (i, address) => ({ t: 1_767_225_600_000 + i, address, addressType: 'public', rssi: -60 - (i % 30) });
const mac = (i) => `a4:c1:38:${((i >> 16) & 0xff).toString(16).padStart(2, '0')}:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;

/** `{ name, adverts }` for every format; each advert is the in-memory Advert the scanner gives. */
export function buildCorpus() {
  const r = seeded(2026);
  const between = (lo, hi, step) => Math.round((lo + r() * (hi - lo)) / step) * step;
  const key = parseBindKey(BIND_KEY);
  const list = (make) => Array.from({ length: CORPUS_SIZE }, (_, i) => make(i));
  const bthomeObjects = () => [[0x01, between(0, 100, 1)], [0x02, Number(between(-20, 40, 0.01).toFixed(2))], [0x03, Number(between(0, 100, 0.01).toFixed(2))]];
  return [
    { name: 'bthome', adverts: list((i) => ({ ...base(i, mac(i)), serviceData: [{ uuid: 'fcd2', data: encodeBthome(bthomeObjects(), { packetId: i }) }] })) },
    {
      name: 'bthome (encrypted)',
      adverts: list((i) => ({ ...base(i, mac(i)), serviceData: [{ uuid: 'fcd2', data: encryptBthome(key, mac(i), 0x41, encodeBthome(bthomeObjects()).subarray(1), i) }] })),
    },
    {
      name: 'ruuvi',
      adverts: list((i) => ({
        ...base(i, mac(i)),
        manufacturerData: encodeRuuvi({
          temperature: between(-30, 50, 0.005), humidity: between(0, 100, 0.0025), pressure: between(90_000, 110_000, 1),
          acceleration: [between(-2, 2, 0.001), between(-2, 2, 0.001), between(-2, 2, 0.001)], batteryVoltage: between(2.5, 3.1, 0.001),
          txPower: 4, movementCounter: i % 255, sequence: i, mac: mac(i),
        }),
      })),
    },
    { name: 'atc', adverts: list((i) => ({ ...base(i, mac(i)), serviceData: [{ uuid: '181a', data: encodeAtc1441({ mac: mac(i), temperature: between(-10, 40, 0.1), humidity: between(0, 100, 1), battery: between(0, 100, 1), batteryVoltage: between(2.2, 3.1, 0.001), counter: i }) }] })) },
    { name: 'pvvx', adverts: list((i) => ({ ...base(i, mac(i)), serviceData: [{ uuid: '181a', data: encodePvvx({ mac: mac(i), temperature: between(-10, 40, 0.01), humidity: between(0, 100, 0.01), battery: between(0, 100, 1), batteryVoltage: between(2.2, 3.1, 0.001), counter: i, flags: i & 0x1f }) }] })) },
    { name: 'ibeacon', adverts: list((i) => ({ ...base(i, mac(i)), manufacturerData: encodeIbeacon({ uuid: 'e2c56db5-dffb-48d2-b060-d0f5a71096e0', major: i & 0xffff, minor: (i * 7) & 0xffff, measuredPower: -59 }) })) },
    {
      name: 'eddystone (UID, URL, TLM)',
      adverts: list((i) => {
        const frame = i % 3 === 0
          ? Buffer.concat([Buffer.from([0x00, 0xee]), Buffer.from('8b0ca750095477cb3e77', 'hex'), Buffer.from(i.toString(16).padStart(12, '0'), 'hex'), Buffer.alloc(2)])
          : i % 3 === 1
            ? Buffer.concat([Buffer.from([0x10, 0xee, 0x03]), Buffer.from(`example${i}`), Buffer.from([0x07])])
            : (() => {
              const b = Buffer.alloc(14);
              b[0] = 0x20;
              b.writeUInt16BE(between(2500, 3300, 1), 2);
              b.writeInt16BE(Math.round(between(-10, 40, 0.5) * 256), 4);
              b.writeUInt32BE(i * 10, 6);
              b.writeUInt32BE(i * 36000, 10);
              return b;
            })();
        return { ...base(i, mac(i)), serviceData: [{ uuid: 'feaa', data: frame }] };
      }),
    },
    { name: 'heart rate 0x2A37 (GATT)', values: list((i) => encodeHeartRate({ bpm: between(50, 190, 1), contact: true, energyKj: i, rrIntervals: [between(0.3, 1.2, 1 / 1024)] })) },
  ];
}
