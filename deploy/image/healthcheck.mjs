// The image's HEALTHCHECK: GET /healthz on 127.0.0.1:$FIELDBRIDGE_OBSERVE_PORT (9464 unless set),
// the port the mounted mapping's `observe.listen` must use. Exit 0 when it answers 200, else 1
// with the reason on stderr (`docker inspect` shows it).
const port = process.env.FIELDBRIDGE_OBSERVE_PORT || '9464';
const url = `http://127.0.0.1:${port}/healthz`;
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
  if (!res.ok) console.error(`healthcheck: ${url} answered ${res.status}`);
  process.exitCode = res.ok ? 0 : 1;
} catch (err) {
  const reason = err?.cause?.code ?? err?.name ?? String(err);
  console.error(`healthcheck: ${url}: ${reason} (is observe.listen on port ${port}, e.g. 0.0.0.0:${port}?)`);
  process.exitCode = 1;
}
