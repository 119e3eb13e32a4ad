import { parseBindKey, encryptBthome } from '../decode/bthome-crypto.js';
import { encodeAtc1441, encodeBthome, encodeHeartRate, encodeIbeacon, encodePvvx, encodeRuuvi } from './encoders.js';
import type { SimulatedDevice } from './sim-device.js';

/**
 * The demo's bind key for its encrypted BTHome sensor: the example key of
 * https://bthome.io/encryption/, so nobody mistakes it for a secret.
 */
export const DEMO_BIND_KEY = '231d39c1d7cc1ab1aee224cd096db932';

/** Addresses of the demo devices, by role. */
export const DEMO_DEVICES = {
  bthome: 'a4:c1:38:b7:10:01',
  bthomeEncrypted: 'a4:c1:38:b7:10:02',
  ruuvi: 'c7:3a:9e:01:02:03',
  atc: 'a4:c1:38:12:34:56',
  pvvx: 'a4:c1:38:ab:cd:ef',
  ibeacon: '0c:f3:ee:00:00:01',
  heartRate: 'f0:0d:ca:fe:00:01',
} as const;

const wave = (n: number, period: number, phase = 0): number => Math.sin((2 * Math.PI * (n + phase)) / period);
const round = (value: number, step: number): number => Math.round(value / step) * step;
const fixed = (value: number, digits: number): number => Number(value.toFixed(digits));

/** A counter per device: each advert() call moves it on, so values change deterministically. */
function stepper(): () => number {
  let n = -1;
  return () => (n += 1);
}

/**
 * The sensors of the demo, a few of every format, with values that move slowly and
 * deterministically (a replay file made from them is reproducible): a BTHome thermometer that
 * repeats every fifth advert (same packet id, dropped as a repeat), an encrypted BTHome
 * sensor with a window contact (bind key {@link DEMO_BIND_KEY}), a Ruuvi tag in a fridge, an
 * ATC1441 and a pvvx thermometer, an iBeacon walking around (its RSSI moves), and a GATT heart
 * rate strap (notifications of 0x2A37, reads of 0x2A38 and the battery level 0x2A19).
 */
export function createDemoFleet(): SimulatedDevice[] {
  const key = parseBindKey(DEMO_BIND_KEY);
  const bthome = stepper();
  let lastPlain: Uint8Array | undefined;
  const enc = stepper();
  const ruuvi = stepper();
  const atc = stepper();
  const pvvx = stepper();
  const beacon = stepper();
  const hr = stepper();
  let beat = 0;
  return [
    {
      address: DEMO_DEVICES.bthome,
      name: 'BTHome-TH',
      advertise: () => {
        const n = bthome();
        if (n % 5 === 4 && lastPlain) return { serviceData: [{ uuid: 'fcd2', data: lastPlain }] };
        lastPlain = encodeBthome([[0x01, 97 - Math.floor(n / 200)], [0x02, fixed(21.5 + 1.5 * wave(n, 120), 2)], [0x03, fixed(45 + 5 * wave(n, 200, 50), 2)]], { packetId: n });
        return { serviceData: [{ uuid: 'fcd2', data: lastPlain }] };
      },
    },
    {
      address: DEMO_DEVICES.bthomeEncrypted,
      name: 'BTHome-ENC',
      rssi: -72,
      advertise: () => {
        const n = enc();
        const objects = encodeBthome([[0x01, 88], [0x02, fixed(19 + wave(n, 90), 2)], [0x03, fixed(52 + 3 * wave(n, 150), 2)], [0x2d, Math.floor(n / 30) % 2 === 1]]).subarray(1);
        return { serviceData: [{ uuid: 'fcd2', data: encryptBthome(key, DEMO_DEVICES.bthomeEncrypted, 0x41, objects, 1000 + n) }] };
      },
    },
    {
      address: DEMO_DEVICES.ruuvi,
      addressType: 'random',
      rssi: -81,
      advertise: () => {
        const n = ruuvi();
        return {
          manufacturerData: encodeRuuvi({
            temperature: round(4.5 + 0.8 * wave(n, 60), 0.005), humidity: round(62 + 4 * wave(n, 80), 0.0025), pressure: Math.round(101325 + 120 * wave(n, 300)),
            acceleration: [0.004, -0.004, 1.036], batteryVoltage: 2.95, txPower: 4, movementCounter: Math.floor(n / 40) % 255, sequence: n, mac: DEMO_DEVICES.ruuvi,
          }),
        };
      },
    },
    {
      address: DEMO_DEVICES.atc,
      name: 'ATC_123456',
      advertise: () => {
        const n = atc();
        return { serviceData: [{ uuid: '181a', data: encodeAtc1441({ mac: DEMO_DEVICES.atc, temperature: fixed(23 + wave(n, 100), 1), humidity: Math.round(41 + 3 * wave(n, 90)), battery: 76, batteryVoltage: 2.87, counter: n }) }] };
      },
    },
    {
      address: DEMO_DEVICES.pvvx,
      name: 'ATC_ABCDEF',
      rssi: -70,
      advertise: () => {
        const n = pvvx();
        return { serviceData: [{ uuid: '181a', data: encodePvvx({ mac: DEMO_DEVICES.pvvx, temperature: fixed(-18 + 0.7 * wave(n, 70), 2), humidity: fixed(35 + 2 * wave(n, 110), 2), battery: 64, batteryVoltage: 2.781, counter: n, flags: 0 }) }] };
      },
    },
    {
      address: DEMO_DEVICES.ibeacon,
      addressType: 'random',
      advertise: () => {
        const n = beacon();
        return { manufacturerData: encodeIbeacon({ uuid: 'e2c56db5-dffb-48d2-b060-d0f5a71096e0', major: 1, minor: 2, measuredPower: -59 }), rssi: Math.round(-62 - 15 * wave(n, 40)) };
      },
    },
    {
      address: DEMO_DEVICES.heartRate,
      name: 'HRM-Pro',
      advertise: () => ({ serviceUuids: ['180d', '180f'], txPowerLevel: 0 }),
      services: [
        {
          uuid: '180d',
          characteristics: [
            {
              uuid: '2a37',
              properties: ['notify'],
              notify: () => {
                const bpm = Math.round(72 + 18 * wave(beat++, 60));
                return encodeHeartRate({ bpm, contact: true, rrIntervals: [fixed(60 / bpm, 3)] });
              },
            },
            { uuid: '2a38', properties: ['read'], read: () => Uint8Array.of(1) },
          ],
        },
        { uuid: '180f', characteristics: [{ uuid: '2a19', properties: ['read'], read: () => Uint8Array.of(Math.max(0, 90 - Math.floor(hr() / 50))) }] },
      ],
    },
  ];
}
