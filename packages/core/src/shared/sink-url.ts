import { redactUrl } from './text.js';

/**
 * What is wrong with a sink URL, or undefined when it is usable: `stdout`, or an absolute
 * http(s):// or ws(s):// URL that parses (no space in the host, a port that is a number). One
 * rule for the mapping check and for `createSink`, so `--check` refuses what a run would.
 */
export function sinkUrlProblem(url: string): string | undefined {
  if (url === 'stdout') return undefined;
  if (!/^(https?|wss?):\/\/./.test(url)) return 'expected http(s)://host/ingest, ws(s)://host/ws/device or stdout';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${JSON.stringify(redactUrl(url))} is not a valid URL${/\s/.test(url) ? ' (it holds a space)' : ''}`;
  }
  if (parsed.hostname === '') return `${JSON.stringify(redactUrl(url))} names no host`;
  return undefined;
}
