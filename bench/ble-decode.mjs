// Adverts decoded per second for each format the bridge decodes, against advlib
// (advlib-ble-manufacturers / advlib-ble-services, reelyActive) where it decodes the same
// format, in the same run. Pure CPU: no adapter, no I/O.
import {
  BthomeState, compileCustomDecoder, decodeAdvert, decodeAtc1441, decodeBthome, decodeCharacteristic, decodeEddystone, decodeIbeacon, decodePvvx, decodeRuuvi, parseBindKey,
} from '@fieldbridge/bridge-ble';
import advlibManufacturers from 'advlib-ble-manufacturers';
import advlibServices from 'advlib-ble-services';
import os from 'node:os';
import { BIND_KEY, buildCorpus, CORPUS_SIZE } from './lib/ble-corpus.mjs';
import { fmt, median, writeReport } from './lib/report.mjs';

const PASSES = Number(process.env.BENCH_BLE_PASSES ?? 20);
const ROUNDS = Number(process.env.BENCH_BLE_ROUNDS ?? 21);
const key = parseBindKey(BIND_KEY);
const { processManufacturerSpecificData } = advlibManufacturers;
const { processServiceData } = advlibServices;

const svc = (advert) => advert.serviceData[0].data;
const payload = (advert) => advert.manufacturerData.subarray(2);
const close = (a, b) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
const values = (result) => Object.fromEntries(result.measurements.map((m) => [m.measurement, m.value]));

/** Per format: our raw decoder, the full decodeAdvert path, advlib's (if any) and a check that both read the same values. */
const FORMATS = {
  bthome: { ours: (a) => decodeBthome(svc(a), { address: a.address }), full: (a) => decodeAdvert(a, { decoder: 'bthome' }) },
  'bthome (encrypted)': { ours: (a) => decodeBthome(svc(a), { address: a.address, bindKey: key }), full: (a) => decodeAdvert(a, { decoder: 'bthome', bindKey: key }) },
  ruuvi: {
    ours: (a) => decodeRuuvi(a.manufacturerData),
    full: (a) => decodeAdvert(a, { decoder: 'ruuvi' }),
    peerInput: payload,
    peer: (data) => processManufacturerSpecificData(0x0499, data),
    same(o, p) {
      const v = values(o);
      return close(v.temperature, p.temperature) && close(v.humidity, p.relativeHumidity) && v.pressure === p.pressure
        && [v.acceleration_x, v.acceleration_y, v.acceleration_z].every((x, i) => close(x, p.acceleration[i])) && close(v.battery_voltage, p.batteryVoltage)
        && v.tx_power === p.txPower && v.movement_counter === p.isMotionDetectedCycle && v.measurement_sequence === p.txCycle && o.identity.mac.replace(/:/g, '') === p.deviceIds[0];
    },
  },
  atc: { ours: (a) => decodeAtc1441(svc(a)), full: (a) => decodeAdvert(a, { decoder: 'atc' }) },
  pvvx: { ours: (a) => decodePvvx(svc(a)), full: (a) => decodeAdvert(a, { decoder: 'pvvx' }) },
  ibeacon: {
    ours: (a) => decodeIbeacon(a.manufacturerData),
    full: (a) => decodeAdvert(a, { decoder: 'ibeacon' }),
    peerInput: payload,
    peer: (data) => processManufacturerSpecificData(0x004c, data),
    same: (o, p) => `${o.identity.uuid.replace(/-/g, '')}/${o.identity.major.toString(16).padStart(4, '0')}/${o.identity.minor.toString(16).padStart(4, '0')}` === p.deviceIds[0] && values(o).measured_power === p.txPower,
  },
  'eddystone (UID, URL, TLM)': {
    ours: (a) => decodeEddystone(svc(a)),
    full: (a) => decodeAdvert(a, { decoder: 'eddystone' }),
    peerInput: svc,
    peer: (data) => processServiceData('feaa', data),
    same(o, p) {
      const v = values(o);
      if (o.identity?.namespace) return p.deviceIds[0] === `${o.identity.namespace}/${o.identity.instance}` && p.txPower === v.tx_power;
      if (o.identity?.url) return p.uri === v.url && p.txPower === v.tx_power;
      return close(v.battery_voltage, p.batteryVoltage) && close(v.temperature, p.temperature) && v.advertisement_count === p.txCount && close(v.uptime * 1000, p.uptime);
    },
  },
  'heart rate 0x2A37 (GATT)': {
    ours: (data) => decodeCharacteristic('2a37', data),
    peerInput: (data) => Buffer.from(data),
    peer: (data) => processServiceData('2a37', data),
    same(o, p) {
      const v = values(o);
      const rr = o.measurements.filter((m) => m.measurement === 'rr_interval').map((m) => m.value);
      return v.heart_rate === p.heartRate && v.sensor_contact === p.isSensorContactDetected && v.energy_expended === p.energyExpended && rr.every((x, i) => close(x, p.rrIntervals[i]));
    },
  },
};

/** ns per item for each decoder: passes over the corpus, decoders taking turns round by round, median of ROUNDS. */
function time(items, decoders) {
  let sink = 0;
  const pass = (decode, passes) => {
    for (let k = 0; k < passes; k++) for (const item of items[decode.input]) sink += decode.fn(item) ? 1 : 0;
  };
  for (const d of decoders) pass(d, Math.max(1, PASSES / 4));
  const rounds = decoders.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    decoders.forEach((d, i) => {
      const start = process.hrtime.bigint();
      pass(d, PASSES);
      rounds[i].push(Number(process.hrtime.bigint() - start) / (PASSES * CORPUS_SIZE));
    });
  }
  if (sink === 0) throw new Error('the decoders returned nothing');
  return rounds.map(median);
}

export async function run() {
  const load = os.loadavg()[0];
  const corpus = buildCorpus();
  const rows = [];
  const checked = [];
  for (const { name, adverts, values: raw } of corpus) {
    const f = FORMATS[name];
    const inputs = adverts ?? raw;
    // Every advert must decode cleanly, and where advlib decodes the format it must read the same values.
    for (const input of inputs) {
      const o = f.ours(input);
      if (o.problems.length > 0 || o.measurements.length === 0) throw new Error(`${name}: ${JSON.stringify(o.problems)}`);
      if (f.full && f.full(input).measurements.length !== o.measurements.length) throw new Error(`${name}: decodeAdvert disagrees with the decoder`);
      if (f.peer) {
        const p = f.peer(f.peerInput(input));
        if (!p || !f.same(o, p)) throw new Error(`${name}: advlib read ${JSON.stringify(p)}, fieldbridge ${JSON.stringify(o)}`);
      }
    }
    if (f.peer) checked.push(name);
    const items = { raw: inputs, peer: f.peer ? inputs.map(f.peerInput) : [] };
    const decoders = [{ input: 'raw', fn: f.ours }, ...(f.full ? [{ input: 'raw', fn: f.full }] : []), ...(f.peer ? [{ input: 'peer', fn: f.peer }] : [])];
    const ns = time(items, decoders);
    const rate = (n) => 1e9 / n;
    const ours = rate(ns[0]);
    const full = f.full ? rate(ns[1]) : undefined;
    const peer = f.peer ? rate(ns.at(-1)) : undefined;
    rows.push({ name, ours, full, peer });
  }
  const custom = compileCustomDecoder({ source: { kind: 'service', uuid: '181a' }, fields: [{ measurement: 'temperature', offset: 6, type: 'i16', byteOrder: 'big', scale: 0.1 }, { measurement: 'humidity', offset: 8, type: 'u8' }, { measurement: 'battery', offset: 9, type: 'u8' }, { measurement: 'battery_voltage', offset: 10, type: 'u16', byteOrder: 'big', scale: 0.001 }] });
  const atc = corpus.find((c) => c.name === 'atc').adverts;
  const [customNs] = time({ raw: atc }, [{ input: 'raw', fn: (a) => decodeAdvert(a, { decoder: 'custom', custom }) }]);
  rows.push({ name: 'custom slices (the ATC1441 layout, 4 fields)', ours: 1e9 / customNs, full: 1e9 / customNs });
  // The same BTHome stream through one shared state, as a source keeps it (repeat/replay memory).
  const state = new BthomeState();
  const plain = corpus.find((c) => c.name === 'bthome').adverts;
  const [stateNs] = time({ raw: plain }, [{ input: 'raw', fn: (a) => { state.forget(a.address); return decodeAdvert(a, { decoder: 'bthome', state }); } }]);
  rows.push({ name: 'bthome with repeat/replay state', ours: 1e9 / stateNs, full: 1e9 / stateNs });

  writeReport(
    'ble-decode',
    'BLE decode: adverts decoded per second, per format',
    `${fmt(CORPUS_SIZE)} distinct adverts per format (values from a seeded generator, encoded by the bridge's simulator encoders), each decoded ${fmt(PASSES)} times per round; decoders take turns round by round, median of ${ROUNDS} rounds, after a warm-up. "decoder" is the format's decode function on its bytes; "decodeAdvert" adds picking the bytes out of the advert, stamping problems and the result object. The peer is advlib-ble-manufacturers 1.14.0 / advlib-ble-services 1.7.0 on the same bytes (without the company id, which advlib takes apart), where it decodes the format.`,
    ['format', 'fieldbridge decoder (adverts/s)', 'fieldbridge decodeAdvert (adverts/s)', 'advlib (adverts/s)', 'fieldbridge decoder / advlib'],
    rows.map((r) => [r.name, fmt(r.ours), r.full === undefined ? '-' : fmt(r.full), r.peer === undefined ? 'does not decode this format' : fmt(r.peer), r.peer === undefined ? '-' : `${fmt(r.ours / r.peer, 2)}x`]),
    [
      `Every advert was checked to decode without problems, and for ${checked.join(', ')} to read the same values as advlib (advlib gives Eddystone uptime in ms, the bridge in s).`,
      'advlib does not decode BTHome, the ATC1441 or pvvx formats (its services module returns null for UUIDs fcd2 and 181a); those rows have no peer.',
      'Encrypted BTHome decrypts each advert with AES-128-CCM (Node crypto, a new decipher per advert); its state-less rate is the cost of decryption.',
      'The bridge also gives units, names repeated BTHome properties, omits not-available values and reports problems; advlib returns a JSON object per advert.',
      `1-minute load average when the run began: ${fmt(load, 1)} on ${os.cpus().length} cores; with other work on the machine, absolute rates move between runs and the ratios (same run, interleaved rounds) are the figures to compare.`,
    ],
  );
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
