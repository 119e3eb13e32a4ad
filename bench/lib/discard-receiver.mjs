// A receiver that costs as little as a receiver can: it reads each body to the end and answers
// 200 (204 for InfluxDB writes), nothing else. The ceiling's peer in the sink benchmarks, run as its
// own process. `POST /_mode` with body `down` answers 503 to everything until `up`.
// Prints `listening <port>` on stdout.
import { createServer } from 'node:http';

let down = process.argv.includes('--down');
let requests = 0;
let bytes = 0;
const server = createServer((req, res) => {
  let size = 0;
  req.on('data', (chunk) => (size += chunk.length));
  req.on('end', () => {
    if (req.url === '/_mode') {
      down = size > 0 && req.headers['x-mode'] === 'down';
      return res.writeHead(204).end();
    }
    if (req.url === '/_stats') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ requests, bytes }));
    if (req.method === 'HEAD') return res.writeHead(200, { 'x-server-time-ms': String(Date.now()) }).end();
    if (down) return res.writeHead(503, { 'retry-after': '1' }).end('{"error":"down"}');
    requests += 1;
    bytes += size;
    if (req.url?.startsWith('/api/v2/write')) return res.writeHead(204).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
