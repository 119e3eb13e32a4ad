// The server the OPC UA benchmark subscribes to, in a process of its own so its work is not
// counted against the client measured: the simulator's server with `count` Double variables
// below Boiler (s=Bench.0 ...), every one changed every `periodMs`. Prints `ready <url>` on stdout.
import { startOpcuaServer } from '@fieldbridge/bridge-opcua';

const [count = '1000', periodMs = '100', pkiDir] = process.argv.slice(2);
const n = Number(count);
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const server = await startOpcuaServer({ pkiDir, logger: silent, securityModes: ['None'] });
for (let i = 0; i < n; i++) server.addVariable(`Bench.${i}`, 0);
let tick = 0;
const timer = setInterval(() => {
  tick += 1;
  for (let i = 0; i < n; i++) server.set(`Bench.${i}`, tick + i / 1000);
}, Number(periodMs));
process.stdout.write(`ready ${server.endpointUrl} ${server.namespaceIndex}\n`);
process.on('SIGTERM', async () => {
  clearInterval(timer);
  await server.stop();
  process.exit(0);
});
