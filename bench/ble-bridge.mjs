// Adverts per second through the whole advert path of bridge-ble (record format in memory ->
// match the device entry -> track the device -> decode -> full points with metric names and tags
// -> standard metrics -> ctx.emit), for each format, against advlib decoding the same bytes in the
// same run where it decodes the format. Also the cost of an advert nobody mapped. No adapter:
// adverts are fed with BleSource.ingest(), as the scanner hands them over.
import { createProblemReporter } from '@fieldbridge/core';
import { createSourceMetrics } from '@fieldbridge/core/bridge';
import { bleConfigSchema, createBleSource, encodeBthome, encryptBthome, parseBindKey } from '@fieldbridge/bridge-ble';
import advlibManufacturers from 'advlib-ble-manufacturers';
import advlibServices from 'advlib-ble-services';
import os from 'node:os';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { BIND_KEY, buildCorpus, CORPUS_SIZE } from './lib/ble-corpus.mjs';
import { fmt, median, writeReport } from './lib/report.mjs';

const PASSES = Number(process.env.BENCH_BLE_PASSES ?? 10);
const ROUNDS = Number(process.env.BENCH_BLE_ROUNDS ?? 15);
const silent = pino({ level: 'silent' });
const { processManufacturerSpecificData } = advlibManufacturers;
const { processServiceData } = advlibServices;

/** A BridgeContext like the runtime's (real standard metrics and problem episodes) whose sink counts points. */
function benchContext() {
  const registry = new Registry();
  const channels = new Map();
  const metrics = createSourceMetrics(registry, 'ble');
  let points = 0;
  const channel = (name, options = {}) => {
    if (!channels.has(name)) {
      let state = 'connecting';
      channels.set(name, { name, required: options.required ?? true, state: () => state, set: (next) => (state = next), close: () => channels.delete(name) });
    }
    return channels.get(name);
  };
  const ctx = {
    emit(to, emitted) {
      points += emitted.length;
      if (emitted.length > 0) metrics.points(typeof to === 'string' ? to : to.name, emitted.length);
    },
    channel,
    flow: { blocked: () => false, whenOpen: async () => undefined },
    metrics,
    sink: { write: () => undefined, send: () => undefined },
    logger: silent,
    registry,
    clock: { now: () => Date.now(), monotonicNow: () => performance.now() },
    problems: createProblemReporter(silent),
    signal: new AbortController().signal,
    // No reloads in a bench: what a bridge keeps across them is made afresh.
    acrossReloads: (_key, make) => make(),
  };
  return { ctx, points: () => points };
}

/**
 * Per format: `passes` lists of adverts, one per pass. BTHome adverts get a new packet id (and
 * encrypted ones a higher counter) each pass, as a sensor sends them, so none is dropped as a repeat.
 */
function passesOf(name, adverts, passes) {
  if (!name.startsWith('bthome')) return Array.from({ length: passes }, () => adverts);
  const key = parseBindKey(BIND_KEY);
  return Array.from({ length: passes }, (_, p) =>
    adverts.map((a, i) => {
      const objects = [[0x01, i % 100], [0x02, Number(((i % 60) - 20 + p / 100).toFixed(2))], [0x03, Number(((i * 7) % 100).toFixed(2))]];
      const data = name === 'bthome' ? encodeBthome(objects, { packetId: p }) : encryptBthome(key, a.address, 0x41, encodeBthome(objects).subarray(1), 1000 + p);
      return { ...a, serviceData: [{ uuid: 'fcd2', data }] };
    }));
}

const DECODERS = { bthome: 'bthome', 'bthome (encrypted)': 'bthome', ruuvi: 'ruuvi', atc: 'atc', pvvx: 'pvvx', ibeacon: 'ibeacon', 'eddystone (UID, URL, TLM)': 'eddystone' };
const PEERS = {
  ruuvi: (a) => processManufacturerSpecificData(0x0499, a.manufacturerData.subarray(2)),
  ibeacon: (a) => processManufacturerSpecificData(0x004c, a.manufacturerData.subarray(2)),
  'eddystone (UID, URL, TLM)': (a) => processServiceData('feaa', a.serviceData[0].data),
};

/**
 * ns per advert for the bridge and (when given) the peer, their rounds interleaved so a change
 * of load on the machine hits both: each round ingests every advert PASSES times (BTHome
 * adverts new each pass), then lets the peer decode them as often. Median of ROUNDS rounds after
 * a warm-up round.
 */
function time(name, adverts, mapped, peer) {
  const { ctx, points } = benchContext();
  const devices = mapped
    ? adverts.map((a, i) => ({ name: `d${i}`, address: a.address, decoder: DECODERS[name], ...(name === 'bthome (encrypted)' ? { bind_key: BIND_KEY } : {}) }))
    : [{ name: 'elsewhere', address: 'ff:ff:ff:ff:ff:ff', decoder: 'atc' }];
  const source = createBleSource(bleConfigSchema.parse({ devices }), ctx);
  const all = passesOf(name, adverts, (ROUNDS + 1) * PASSES);
  const bridgeRounds = [];
  const peerRounds = [];
  let decoded = 0;
  for (let r = 0; r <= ROUNDS; r++) {
    let start = process.hrtime.bigint();
    for (let p = 0; p < PASSES; p++) for (const advert of all[r * PASSES + p]) source.ingest(advert);
    if (r > 0) bridgeRounds.push(Number(process.hrtime.bigint() - start) / (PASSES * adverts.length));
    if (!peer) continue;
    start = process.hrtime.bigint();
    for (let p = 0; p < PASSES; p++) for (const advert of adverts) decoded += peer(advert) ? 1 : 0;
    if (r > 0) peerRounds.push(Number(process.hrtime.bigint() - start) / (PASSES * adverts.length));
  }
  if (mapped && points() === 0) throw new Error(`${name}: the bridge gave no points`);
  if (peer && decoded === 0) throw new Error(`${name}: advlib decoded nothing`);
  return { ns: median(bridgeRounds), peerNs: peer ? median(peerRounds) : undefined, pointsPerAdvert: points() / ((ROUNDS + 1) * PASSES * adverts.length) };
}

export async function run() {
  const load = os.loadavg()[0];
  const rows = [];
  for (const { name, adverts } of buildCorpus()) {
    if (!adverts) continue;
    const bridge = time(name, adverts, true, PEERS[name]);
    const peer = bridge.peerNs;
    rows.push([name, fmt(1e9 / bridge.ns), fmt(bridge.pointsPerAdvert, 1), peer === undefined ? 'does not decode this format' : fmt(1e9 / peer), peer === undefined ? '-' : `${fmt(peer / bridge.ns, 2)}x`]);
  }
  const atc = buildCorpus().find((c) => c.name === 'atc').adverts;
  const ignored = time('atc', atc, false);
  rows.push(['an advert of a device nobody mapped (ignored)', fmt(1e9 / ignored.ns), '0', '-', '-']);
  writeReport(
    'ble-bridge',
    'BLE bridge: adverts per second through the whole advert path, per format',
    `${fmt(CORPUS_SIZE)} devices per format, each mapped by address (1,000 device entries), each advert ingested as the scanner hands it over: matched, tracked (its channel opened on first sight), decoded, turned into full points (metric template, tags, class, timestamp), counted in the standard metrics and emitted once. ${fmt(PASSES)} passes over the devices per round (BTHome adverts with a new packet id or counter each pass), median of ${ROUNDS} rounds after a warm-up round, the bridge's and the peer's rounds taking turns. The peer is advlib-ble-manufacturers 1.14.0 / advlib-ble-services 1.7.0 decoding the same bytes into one JSON object per advert, where it decodes the format: it does no matching, naming or counting, so the ratio is the price of the whole bridge path against a bare decoder.`,
    ['format', 'bridge-ble (adverts/s)', 'points per advert', 'advlib decode only (adverts/s)', 'bridge-ble / advlib'],
    rows,
    [
      'advlib does not decode BTHome, the ATC1441 or pvvx formats; those rows have no peer.',
      'Encrypted BTHome decrypts every advert with AES-128-CCM (Node crypto), which dominates its row.',
      'The decoders alone are measured in ble-decode.md; the difference is the cost of matching, tracking, naming and counting.',
      `1-minute load average when the run began: ${fmt(load, 1)} on ${os.cpus().length} cores; with other work on the machine, absolute rates move between runs and the ratios are the figures to compare.`,
    ],
  );
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
