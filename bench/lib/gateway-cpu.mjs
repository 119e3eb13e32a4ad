// gateway-dev in a child process of its own, so its CPU time can be read alone: the parent
// forks this file, gets `{ origin, url }` once it listens, then asks for `cpu` (process.cpuUsage()
// and the gateway's counters, measured here) and finally `stop`.
//   node gateway-cpu.mjs KEY page|no-page
import { createGateway } from '@fieldbridge/gateway-dev';

const [key, mode] = process.argv.slice(2);
const gateway = await createGateway({ apiKeys: [key], retainPoints: false, live: mode === 'page' ? {} : false });
process.send({ origin: gateway.origin, url: gateway.url });
process.on('message', async (message) => {
  if (message === 'cpu') process.send({ cpu: process.cpuUsage(), stats: gateway.stats() });
  if (message === 'stop') {
    await gateway.close();
    process.disconnect();
  }
});
