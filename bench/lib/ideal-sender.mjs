import { gzip as gzipCb } from 'node:zlib';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';

const gzip = promisify(gzipCb);

/**
 * The ideal sender: what the wire needs and nothing more. Makes `n` points with `point(i)`,
 * stringifies each batch of `batch`, gzips it (level 1, on the threadpool as the sink does) and
 * POSTs it with `inFlight` requests outstanding. Validates nothing, keeps nothing.
 */
export async function sendIdeal({ url, key, n, point, batch = 1000, inFlight = 2 }) {
  const dispatcher = new Agent({ keepAliveTimeout: 30_000 });
  const pending = new Set();
  for (let i = 0; i < n; i += batch) {
    const points = [];
    for (let j = i; j < Math.min(n, i + batch); j++) points.push(point(j));
    const body = await gzip(JSON.stringify({ source_id: 'bench', points }), { level: 1 });
    const sent = request(url, { method: 'POST', dispatcher, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-api-key': key }, body }).then(async (res) => {
      await res.body.dump();
      if (res.statusCode !== 200) throw new Error(`ideal sender: HTTP ${res.statusCode}`);
    });
    pending.add(sent);
    sent.finally(() => pending.delete(sent)).catch(() => {});
    if (pending.size >= inFlight) await Promise.race(pending);
  }
  await Promise.all(pending);
  await dispatcher.close();
}
