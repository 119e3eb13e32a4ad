import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatIssue, issueAt, type ConfigIssue } from '@fieldbridge/core';
import type { MappingFile } from '../mapping-files.js';
import { everyInterface, sameThing, sectionClaims, type SectionClaim } from './section-claims.js';

/**
 * What two files of one run cannot share, since each runs its own sink and observe server in
 * this process: a spool directory (its lock refuses the second), an observe address (the
 * second cannot listen), a `source_id` at one receiver (see `sourceAt`), and what their bridges hold alone (an MQTT client id at a broker, a
 * serial port, a UDP port listened on: see `sectionClaims`). Said at the later file's line,
 * naming the earlier, before anything starts; `check` says it too. Port 0 (any free port) is
 * never a clash.
 */
export function sharedResourceIssues(files: readonly Pick<MappingFile, 'file' | 'config'>[], cwd = process.cwd()): string[] {
  const issues: ConfigIssue[] = [];
  const spools = new Map<string, string>();
  const listens: { file: string; host: string; port: number }[] = [];
  const claimed: { claim: SectionClaim; file: string }[] = [];
  const sources = new Map<string, string>();
  for (const m of files) {
    const text = (): string => readFileSync(m.file, 'utf8');
    const source = sourceAt(m.config.source_id, m.config.sink.url, m.config.sink.api_key);
    if (source !== undefined) {
      const first = sources.get(source.key);
      if (first !== undefined) issues.push(issueAt(m.file, text(), ['source_id'], `${m.config.source_id}: ${first} sends to ${source.receiver} as this source too: each file of a run is its own source, and two with one id would mix their points (over WebSocket the receiver renames one of them, whichever connects second); give each file its own source_id, or put both bridge sections in one file`));
      else sources.set(source.key, m.file);
    }
    const path = m.config.sink.buffer?.path;
    if (path !== undefined) {
      const dir = resolve(cwd, path);
      const first = spools.get(dir);
      if (first !== undefined) issues.push(issueAt(m.file, text(), ['sink', 'buffer', 'path'], `${path} is the spool ${first} uses too: each file of a run needs its own buffer.path`));
      else spools.set(dir, m.file);
    }
    const listen = m.config.observe?.listen;
    if (listen !== undefined) {
      const at = hostPort(listen);
      const first = at.port === 0 ? undefined : listens.find((l) => l.port === at.port && (l.host === at.host || everyInterface(l.host) || everyInterface(at.host)));
      if (first !== undefined) issues.push(issueAt(m.file, text(), ['observe', 'listen'], `${listen}: ${first.file} listens there too: give each file its own port (or port 0 for any free one)`));
      else listens.push({ file: m.file, ...at });
    }
    for (const claim of sectionClaims(m.config)) {
      const first = claimed.find((c) => sameThing(c.claim, claim));
      if (first !== undefined) issues.push(issueAt(m.file, text(), claim.path, claim.clash(first.file)));
      else claimed.push({ claim, file: m.file });
    }
  }
  return issues.map(formatIssue);
}

/**
 * A source id at a receiver, told apart by the receiver's host and port (its HTTP ingest and
 * WebSocket endpoints are one service) and the API key (another key may be another tenant of
 * it, where the same id is another source). The stdout sink has no receiver: nothing to share.
 */
function sourceAt(sourceId: string, url: string | undefined, apiKey: string | undefined): { key: string; receiver: string } | undefined {
  if (url === undefined || url === 'stdout') return undefined;
  let receiver = url;
  try {
    const u = new URL(url);
    const secure = u.protocol === 'https:' || u.protocol === 'wss:';
    receiver = `${u.hostname.toLowerCase()}:${u.port || (secure ? '443' : '80')}`;
  } catch {
    // Not a URL: the sink's own check says so; compare it as written.
  }
  return { key: JSON.stringify([receiver, apiKey ?? '', sourceId]), receiver };
}

function hostPort(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  return { host: listen.slice(0, i).replace(/^\[|\]$/g, '').toLowerCase(), port: Number(listen.slice(i + 1)) };
}
