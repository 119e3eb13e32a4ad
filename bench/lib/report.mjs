import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';

/** Median of a list of numbers. */
export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Writes a markdown report under bench/results and prints it. */
export function writeReport(name, title, intro, header, rows, notes = []) {
  const machine = `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
  const table = [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
  const text = [`# ${title}`, '', intro, '', `Machine: ${machine}.`, '', ...table, '', ...notes.map((n) => `- ${n}`), ''].join('\n');
  mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
  writeFileSync(new URL(`../results/${name}.md`, import.meta.url), text);
  process.stdout.write(`${text}\n`);
}

/** Formats a number with thousands separators. */
export const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
