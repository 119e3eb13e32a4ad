// A publisher in its own process, so publishing does not share the measured process's CPU.
// Usage: node mqtt-publisher.mjs URL COUNT QOS. Prints "ready" once connected, publishes when
// it reads "go" on stdin, prints "published <ms>" once the broker acknowledged everything.
import { createInterface } from 'node:readline';
import { connectAsync } from 'mqtt';

const [url, countText, qosText] = process.argv.slice(2);
const count = Number(countText);
const qos = Number(qosText);
const WINDOW = 1000;
const client = await connectAsync(url, { reconnectPeriod: 0 });

/** The i-th message: 10 lines x 50 machines, a small JSON reading. */
function message(i) {
  return [`bench/line${i % 10}/m${i % 50}/temp`, `{"reading":{"value":${(20 + (i % 1000) / 10).toFixed(1)},"unit":"degC"},"seq":${i}}`];
}

process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line !== 'go') continue;
  const start = performance.now();
  for (let i = 0; i < count; i += WINDOW) {
    const batch = [];
    for (let j = i; j < Math.min(count, i + WINDOW); j++) {
      const [topic, payload] = message(j);
      batch.push(client.publishAsync(topic, payload, { qos }));
    }
    await Promise.all(batch);
  }
  process.stdout.write(`published ${performance.now() - start}\n`);
  break;
}
await client.endAsync();
