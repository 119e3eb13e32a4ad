// A publisher at a steady rate, in its own process, until SIGTERM: plant temperatures as JSON
// (the payload examples/mqtt/map.yaml maps on plant/+/+/temperature), QoS 1.
// Usage: node mqtt-steady-publisher.mjs URL RATE. Prints "ready" once connected.
import { connectAsync } from 'mqtt';

const [url, rateText] = process.argv.slice(2);
const rate = Number(rateText);
const client = await connectAsync(url, { reconnectPeriod: 1000 });
const started = performance.now();
let sent = 0;
let inFlight = 0;

/** The i-th message: 10 lines x 20 machines. */
function message(i) {
  const value = (20 + (i % 1000) / 10).toFixed(1);
  return [`plant/line${i % 10}/m${i % 20}/temperature`, `{"sensor":{"id":"T-${i % 200}"},"reading":{"value":${value},"unit":"degC"},"ts":${(Date.now() / 1000).toFixed(3)}}`];
}

// Every 10 ms, whatever the rate owes since the start; never more than 5,000 unacknowledged.
const timer = setInterval(() => {
  const due = Math.floor(((performance.now() - started) / 1000) * rate);
  while (sent < due && inFlight < 5000) {
    const [topic, payload] = message(sent);
    inFlight += 1;
    client.publish(topic, payload, { qos: 1 }, () => (inFlight -= 1));
    sent += 1;
  }
}, 10);
process.stdout.write('ready\n');
process.on('SIGTERM', async () => {
  clearInterval(timer);
  process.stdout.write(`published ${sent}\n`);
  await client.endAsync(true);
  process.exit(0);
});
