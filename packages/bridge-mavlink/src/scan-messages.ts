import { flowYaml, formatDuration } from '@fieldbridge/core/bridge';
import type { MavlinkConfig } from './config.js';
import type { SurveyedSender } from './link-survey.js';
import { compileSenderFilter, type SenderFilter } from './sender-filter.js';

/** A parsed `messages` entry as the mapping would write it: `max_interval` as a duration (`1m30s`), not the ms it was read into. */
function asWritten(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asWritten);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, k === 'max_interval' && typeof v === 'number' ? formatDuration(v) : asWritten(v)]),
  );
}

/**
 * The `messages:` block `--scan` suggests, as lines: every message heard from what the mapping
 * reads, under a comment per sender (`# system 1, component 1`), with the mapping's own entry
 * when it names the message and `default` otherwise; then the mapping's entries not heard, kept;
 * then, commented out, the messages only senders its `systems`/`components` drop sent. Pasted
 * under `mavlink:` in place of the mapping's `messages:`, it reads everything heard and keeps what
 * the mapping chose. Empty when nothing was heard. Pure; as long as the survey (64 senders).
 */
export function suggestMessages(senders: readonly SurveyedSender[], own: MavlinkConfig['messages'], filter: SenderFilter = {}): string[] {
  const reads = compileSenderFilter(filter) ?? (() => true);
  /** The mapping's keys by message name, in its own spelling. */
  const ownKeys = new Map(Object.keys(own ?? {}).map((key) => [key.toUpperCase(), key]));
  const entry = (name: string): string => {
    const key = ownKeys.get(name);
    return key === undefined ? `  ${name}: default` : `  ${key}: ${flowYaml(asWritten(own![key]))}`;
  };
  const listed = new Set<string>();
  const body: string[] = [];
  const dropped = new Map<string, string>();
  for (const sender of senders) {
    const heard = sender.messages.filter((m) => reads(sender.sysid, sender.compid, m.msgid));
    for (const m of sender.messages) if (!heard.includes(m)) dropped.set(m.name, `system ${sender.sysid}, component ${sender.compid}`);
    if (heard.length === 0) continue;
    const fresh = heard.filter((m) => !listed.has(m.name));
    const again = heard.filter((m) => listed.has(m.name)).map((m) => m.name);
    body.push(`  # system ${sender.sysid}, component ${sender.compid}${again.length > 0 ? ` (also sends ${again.join(', ')}, listed above)` : ''}`);
    for (const m of fresh) {
      listed.add(m.name);
      body.push(entry(m.name));
    }
  }
  if (listed.size === 0 && dropped.size === 0) return [];
  const unheard = [...ownKeys.keys()].filter((name) => !listed.has(name));
  // Only comments under `messages:` would be `messages: null`, which no mapping takes.
  if (listed.size === 0 && unheard.length === 0) return ['# no messages: block to suggest: systems/components leave out every sender heard'];
  if (unheard.length > 0) body.push('  # not heard, kept from the mapping', ...unheard.map(entry));
  const onlyDropped = [...dropped].filter(([name]) => !listed.has(name) && !ownKeys.has(name));
  if (onlyDropped.length > 0) body.push('  # sent only by senders systems/components leave out: uncomment after adding them', ...onlyDropped.map(([name, from]) => `  # ${name}: default  (${from})`));
  const paste = own ? `the ${listed.size} messages heard and the mapping's own entries; paste under mavlink: in place of its messages:` : `the ${listed.size} messages heard; paste under mavlink: (a messages: key replaces the ones read by default)`;
  return [`# ${paste}`, "# default reads a message's useful fields, all every field: --list-messages NAME lists them", 'messages:', ...body];
}
