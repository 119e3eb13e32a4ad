import { Agent, request } from 'node:http';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';

const gzip = promisify(gzipCb);

/** One POST over `agent`, its answer read to the end; rejects unless 200. */
function post(url, agent, headers, body) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`ideal sender: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The ideal sender's wire work for one batch: `{source_id, points}` stringified, gzipped (level 1,
 * on the threadpool as the sink does) and POSTed with node's own http client over a keep-alive
 * agent (measured cheaper than undici here, and the sink uses it too). Validates nothing, keeps
 * nothing. `body` resolves with a batch's gzipped body; `post` resolves once the receiver
 * answered 200.
 */
export function idealPoster({ url, key }) {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const headers = { 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-api-key': key };
  return {
    body: (points) => gzip(JSON.stringify({ source_id: 'bench', points }), { level: 1 }),
    post: (body) => post(url, agent, headers, body),
    close: () => agent.destroy(),
  };
}

/**
 * The ideal sender: what the wire needs and nothing more. Makes `n` points with `point(i)` and
 * sends them in batches of `batch` with {@link idealPoster}, `inFlight` requests outstanding.
 */
export async function sendIdeal({ url, key, n, point, batch = 1000, inFlight = 2 }) {
  const poster = idealPoster({ url, key });
  const pending = new Set();
  for (let i = 0; i < n; i += batch) {
    const points = [];
    for (let j = i; j < Math.min(n, i + batch); j++) points.push(point(j));
    const sent = poster.post(await poster.body(points));
    pending.add(sent);
    sent.finally(() => pending.delete(sent)).catch(() => {});
    if (pending.size >= inFlight) await Promise.race(pending);
  }
  await Promise.all(pending);
  poster.close();
}
