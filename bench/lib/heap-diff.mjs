// Compares two V8 heap snapshots (.heapsnapshot JSON): objects counted and sized by constructor
// (node type and name), and what grew between them.   node heap-diff.mjs A.heapsnapshot B.heapsnapshot
import { readFileSync } from 'node:fs';

/** Count and self size (bytes) per `type:name` of every node in a snapshot, and the total. */
export function summarizeSnapshot(path) {
  const snap = JSON.parse(readFileSync(path, 'utf8'));
  const meta = snap.snapshot.meta;
  const fields = meta.node_fields;
  const types = meta.node_types[fields.indexOf('type')];
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const { nodes, strings } = snap;
  const byKey = new Map();
  let total = 0;
  for (let i = 0; i < nodes.length; i += fields.length) {
    const type = types[nodes[i + typeAt]];
    // Strings and code are grouped by type only: their names are their contents.
    const name = type === 'object' || type === 'closure' || type === 'native' ? strings[nodes[i + nameAt]] : '';
    const key = `${type}:${name.slice(0, 80)}`;
    const size = nodes[i + sizeAt];
    total += size;
    const entry = byKey.get(key) ?? { count: 0, size: 0 };
    entry.count += 1;
    entry.size += size;
    byKey.set(key, entry);
  }
  return { total, byKey };
}

/** The `top` constructors whose self size grew most from `a` to `b`, with their count change. */
export function diffSummaries(a, b, top = 12) {
  const keys = new Set([...a.byKey.keys(), ...b.byKey.keys()]);
  const rows = [];
  for (const key of keys) {
    const x = a.byKey.get(key) ?? { count: 0, size: 0 };
    const y = b.byKey.get(key) ?? { count: 0, size: 0 };
    rows.push({ key, count: y.count, countDelta: y.count - x.count, sizeDelta: y.size - x.size });
  }
  rows.sort((p, q) => q.sizeDelta - p.sizeDelta);
  return { totalDelta: b.total - a.total, totalA: a.total, totalB: b.total, grew: rows.slice(0, top) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [pathA, pathB] = process.argv.slice(2);
  const d = diffSummaries(summarizeSnapshot(pathA), summarizeSnapshot(pathB), 25);
  console.log(`live heap ${(d.totalA / 1048576).toFixed(2)} -> ${(d.totalB / 1048576).toFixed(2)} MiB`);
  for (const r of d.grew) console.log(`${String(r.sizeDelta).padStart(10)} B ${String(r.countDelta).padStart(8)} objects (now ${r.count})  ${r.key}`);
}
