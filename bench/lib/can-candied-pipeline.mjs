// The peer of the CAN bridge benchmark: the same candump log replayed (bridge-can's replay, at
// the same pace) and decoded with candied, the best npm DBC library of bench/can-decode.mjs,
// every signal of every frame written as a point to the same fieldbridge sink, delivered to the
// same gateway-dev. What a user would build with that library instead of bridge-can.
//   node can-candied-pipeline.mjs LOG DBC INGEST_URL API_KEY fast|recorded
import { createSink } from '@fieldbridge/core';
import { replayCandumpFile } from '@fieldbridge/bridge-can';
import { pino } from 'pino';
import { dbcLibraries } from './dbc-libraries.mjs';

const [log, dbc, url, apiKey, pace] = process.argv.slice(2);
const library = dbcLibraries().find((l) => l.name === 'candied').load(dbc);
const sink = createSink({ url, apiKey, sourceId: 'bench-can-peer', batch: { maxPoints: 5000, lingerMs: 200 }, buffer: { whenFull: 'block' }, logger: pino({ level: 'silent' }) });

function write(frame) {
  let bound;
  try {
    bound = library.decodeFrame(library.frameOf(frame.id, frame.extended, frame.data));
  } catch {
    return;
  }
  if (!bound) return;
  for (const [name, signal] of bound.boundSignals) {
    if (typeof signal.value === 'number' && Number.isFinite(signal.value)) sink.write({ metric: `${bound.name}.${name}`, value: signal.value, timestamp: frame.timestampMs, class: 'metric' });
  }
}

await replayCandumpFile(log, {
  pace,
  // The same flow control the bridge applies to a log: wait while the spool is full.
  onFrame: (frame) => (sink.status().backpressured ? sink.whenWritable().then(() => write(frame)) : write(frame)),
});
await sink.flush();
await sink.close();
