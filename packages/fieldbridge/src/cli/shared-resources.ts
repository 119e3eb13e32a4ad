import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatIssue, issueAt, type ConfigIssue } from '@fieldbridge/core';
import type { MappingFile } from '../mapping-files.js';
import { sectionClaims } from './section-claims.js';

/**
 * What two files of one run cannot share, since each runs its own sink and observe server in
 * this process: a spool directory (its lock refuses the second), an observe address (the
 * second cannot listen), and what their bridges hold alone (an MQTT client id at a broker, a
 * serial port: see `sectionClaims`). Said at the later file's line, naming the earlier, before
 * anything starts; `check` says it too. Port 0 (any free port) is never a clash.
 */
export function sharedResourceIssues(files: readonly Pick<MappingFile, 'file' | 'config'>[], cwd = process.cwd()): string[] {
  const issues: ConfigIssue[] = [];
  const spools = new Map<string, string>();
  const listens: { file: string; host: string; port: number }[] = [];
  const claimed = new Map<string, string>();
  for (const m of files) {
    const text = (): string => readFileSync(m.file, 'utf8');
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
      const first = at.port === 0 ? undefined : listens.find((l) => l.port === at.port && (l.host === at.host || wildcard(l.host) || wildcard(at.host)));
      if (first !== undefined) issues.push(issueAt(m.file, text(), ['observe', 'listen'], `${listen}: ${first.file} listens there too: give each file its own port (or port 0 for any free one)`));
      else listens.push({ file: m.file, ...at });
    }
    for (const claim of sectionClaims(m.config)) {
      const first = claimed.get(claim.key);
      if (first !== undefined) issues.push(issueAt(m.file, text(), claim.path, claim.clash(first)));
      else claimed.set(claim.key, m.file);
    }
  }
  return issues.map(formatIssue);
}

function hostPort(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  return { host: listen.slice(0, i).replace(/^\[|\]$/g, '').toLowerCase(), port: Number(listen.slice(i + 1)) };
}

const wildcard = (host: string): boolean => host === '0.0.0.0' || host === '::' || host === '';
