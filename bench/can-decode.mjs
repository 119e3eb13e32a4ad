// CAN frames decoded per second with real DBC files (opendbc's Tesla and Toyota), by
// bridge-can's compiled decoders and by the npm DBC libraries in the same run, and how many of
// each library's values agree with a bit-by-bit reference decoder.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canConfigSchema, createCanDecoder, decodeFrame, loadDbcFiles, planCan, resolveCanConfig, VEHICLE_DBC, parseDbc } from '@fieldbridge/bridge-can';
import { referenceDecode, sameSignalValue } from '../packages/bridge-can/test/helpers/reference-decoder.mjs';
import { dbcLibraries } from './lib/dbc-libraries.mjs';
import { fmt, median, writeReport } from './lib/report.mjs';
import { seededRandom } from '@fieldbridge/core';

const FRAMES = Number(process.env.BENCH_CAN_FRAMES ?? 20_000);
const ROUNDS = Number(process.env.BENCH_CAN_ROUNDS ?? 7);
/** Each decoder decodes for about this long per round (its repetitions are calibrated once). */
const ROUND_MS = Number(process.env.BENCH_CAN_ROUND_MS ?? 250);
const GOAL = 1_000_000;

/** opendbc's files live next to the checkout (shared/fixtures/dbc) or where CAN_DBC_CORPUS points. */
function findCorpus() {
  if (process.env.CAN_DBC_CORPUS) return process.env.CAN_DBC_CORPUS;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'shared', 'fixtures', 'dbc', 'tesla_can.dbc'))) return join(dir, 'shared', 'fixtures', 'dbc');
    dir = dirname(dir);
  }
  return undefined;
}

const seeded = seededRandom;

/** Random payloads for random messages of the database, every message equally likely. */
function makeFrames(database) {
  const random = seeded(42);
  const messages = database.messages;
  return Array.from({ length: FRAMES }, () => {
    const m = messages[Math.floor(random() * messages.length)];
    return { id: m.id, extended: m.extended, data: Uint8Array.from({ length: m.length }, () => Math.floor(random() * 256)), message: m };
  });
}

/** Frames per second of `decodeAll` (which decodes every frame once), median of ROUNDS rounds taken in turn with the others. */
function timeDecoders(entries, frameCount) {
  for (const e of entries) {
    // Warm up (JIT), then calibrate how many passes fill about ROUND_MS.
    for (let i = 0; i < 3; i++) e.decodeAll();
    const start = performance.now();
    e.decodeAll();
    e.passes = Math.max(1, Math.round(ROUND_MS / Math.max(0.01, performance.now() - start)));
    e.rates = [];
  }
  let sink = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (const e of entries) {
      const start = process.hrtime.bigint();
      for (let p = 0; p < e.passes; p++) sink += e.decodeAll();
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      e.rates.push((e.passes * frameCount) / seconds);
    }
  }
  if (sink === 0) throw new Error('the decoders decoded nothing');
  return entries.map((e) => median(e.rates));
}

/** Share of the reference's values a decoder gets wrong (missing, or a different number). */
function wrongShare(frames, valuesOf) {
  let total = 0;
  let wrong = 0;
  let failedFrames = 0;
  for (const f of frames) {
    const reference = referenceDecode(f.message, f.data);
    let got;
    try {
      got = valuesOf(f);
    } catch {
      got = undefined;
      failedFrames++;
    }
    for (const [name, r] of reference) {
      total++;
      const signal = f.message.signals.find((s) => s.name === name);
      const v = got?.get(name);
      if (typeof v !== 'number' || !sameSignalValue(signal, v, r.value)) wrong++;
    }
  }
  return { total, wrong, share: total === 0 ? 0 : wrong / total, failedFrames };
}

async function measure(label, path) {
  const { database } = path ? await loadDbcFiles([path]) : parseDbc(VEHICLE_DBC, { file: 'vehicle.dbc' });
  const frames = makeFrames(database);
  const decoder = createCanDecoder(database);
  const compiled = frames.map((f) => decoder.find(f.id, f.extended));
  // Every signal, named {message}.{signal}, with the defaults of a can: section.
  const resolved = resolveCanConfig(canConfigSchema.parse({ interface: 'socketcan:can0', dbc: path ?? 'vehicle.dbc' }));
  const { plan } = planCan(database, resolved.config);
  const outs = new Map(decoder.decoders.map((d) => [d, d.createValues()]));
  const entries = [
    {
      name: 'bridge-can decodeInto (arrays reused)',
      decodeAll: () => {
        let n = 0;
        for (let i = 0; i < frames.length; i++) {
          const d = compiled[i];
          n += d.decodeInto(frames[i].data, outs.get(d));
        }
        return n;
      },
      values: (f) => new Map(decoder.decode(f).signals.map((s) => [s.name, s.value])),
    },
    {
      name: 'bridge-can decode (named results)',
      decodeAll: () => {
        let n = 0;
        for (const f of frames) n += decoder.decode(f).signals.length;
        return n;
      },
      values: (f) => new Map(decoder.decode(f).signals.map((s) => [s.name, s.value])),
    },
    {
      name: 'bridge-can decodeFrame (the points the bridge sends)',
      decodeAll: () => {
        let n = 0;
        for (const f of frames) n += decodeFrame(plan, f, 1_700_000_000_000).points.length;
        return n;
      },
      values: (f) => new Map(decodeFrame(plan, f, 0).points.filter((p) => p.class === 'metric').map((p) => [p.metric.slice(f.message.name.length + 1), p.value])),
    },
  ];
  const libraries = [];
  for (const lib of dbcLibraries()) {
    try {
      const loaded = lib.load(path ?? undefined);
      const libFrames = frames.map((f) => loaded.frameOf(f.id, f.extended, f.data));
      const entry = {
        name: `${lib.name} ${lib.version} decode`,
        library: lib.name,
        decodeAll: () => {
          let n = 0;
          for (const lf of libFrames) {
            try {
              if (loaded.decodeFrame(lf)) n++;
            } catch {
              // A throw is a wrong answer, counted by wrongShare; here it only costs time.
            }
          }
          return n;
        },
        values: (f) => loaded.values(f.id, f.extended, f.data),
      };
      entries.push(entry);
      libraries.push(entry);
    } catch (err) {
      libraries.push({ name: `${lib.name} ${lib.version}`, library: lib.name, failed: err.message.split('\n')[0] });
    }
  }
  const measured = entries.filter((e) => !e.failed);
  const rates = timeDecoders(measured, frames.length);
  measured.forEach((e, i) => {
    e.rate = rates[i];
    e.correctness = wrongShare(frames, e.values);
  });
  return { label, database, frames, entries: measured, libraries };
}

export async function run() {
  const corpus = findCorpus();
  const sets = corpus
    ? [['Tesla (opendbc tesla_can.dbc)', join(corpus, 'tesla_can.dbc')], ['Toyota (opendbc toyota_prius_2010_pt.dbc)', join(corpus, 'toyota_prius_2010_pt.dbc')]]
    : [['the example vehicle (opendbc files not found)', undefined]];
  const rows = [];
  const notes = [];
  for (const [label, path] of sets) {
    if (!path) continue;
    const result = await measure(label, path);
    const ours = result.entries[0];
    const named = result.entries[1];
    const points = result.entries[2];
    const libs = result.entries.slice(3);
    // The best library: the fewest wrong values, then the fastest.
    const best = [...libs].sort((a, b) => a.correctness.share - b.correctness.share || b.rate - a.rate)[0];
    const signals = result.database.messages.reduce((n, m) => n + m.signals.length, 0);
    for (const e of result.entries) {
      rows.push([
        label,
        e.name,
        fmt(e.rate),
        best ? `${fmt(e.rate / best.rate, 1)}x` : '-',
        `${fmt(100 * e.correctness.share, 1)} % (${fmt(e.correctness.wrong)} of ${fmt(e.correctness.total)})`,
      ]);
    }
    for (const l of result.libraries.filter((x) => x.failed)) rows.push([label, l.name, 'could not load the file', '-', l.failed]);
    notes.push(
      `${label}: ${result.database.messages.length} messages, ${signals} signals; ${fmt(result.frames.length)} frames with random payloads, every message equally likely. ` +
        `bridge-can ${ours.rate >= GOAL ? 'meets' : 'misses'} the goal of ${fmt(GOAL)} frames/s with decodeInto (${fmt(ours.rate)}), ${named.rate >= GOAL ? 'meets' : 'misses'} it with named results (${fmt(named.rate)}) and ${points.rate >= GOAL ? 'meets' : 'misses'} it with full points (${fmt(points.rate)})` +
        (best ? `; best npm library by correctness then speed: ${best.name} (${fmt(100 * best.correctness.share, 1)} % wrong), bridge-can decodeInto is ${fmt(ours.rate / best.rate, 1)}x its speed.` : '.'),
    );
  }
  writeReport(
    'can-decode',
    'CAN decode: frames per second with real DBC files',
    `Frames decoded per second, median of ${ROUNDS} rounds of about ${ROUND_MS} ms per decoder, the decoders taking turns round by round so that machine noise falls on all of them. ` +
      'Each library gets its frames in the form its API takes (built before timing) and its own decode call. "Wrong values" checks every value the bit-by-bit reference decoder ' +
      '(packages/bridge-can/test/helpers/reference-decoder.mjs, which shares no code with bridge-can) finds in the frames: it is wrong when the decoder leaves it out or gives another number ' +
      '(values a decoder adds for multiplexed signals the frame does not hold are not counted).',
    ['DBC', 'decoder', 'frames/s', 'vs best npm library', 'wrong values'],
    rows,
    [
      ...notes,
      'bridge-can decodeInto writes every signal into preallocated arrays; decode builds one object per signal with name, value, unit and value-table text; decodeFrame (what the bridge runs per frame) builds the full points of a can: section with its defaults: metric {message}.{signal}, timestamp, class, unit tag, and an event with the value-table text.',
      'dbc-can 1.6.0 does not load on a case-sensitive file system (its files require ./dbc/Dbc, the file is dbc.js); the benchmark resolves its relative requires without regard to case, and changes nothing else.',
      'Numbers measured on a shared 2-core machine while other builds ran are provisional; the ratios are more stable than the absolute rates.',
    ],
  );
}
