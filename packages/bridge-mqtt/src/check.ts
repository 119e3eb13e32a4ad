import { keyFileProblem, type SectionIssue } from '@fieldbridge/core/bridge';
import { parseBrokerUrl } from './client-options.js';
import type { MqttConfig } from './config.js';
import { compileSubscription } from './resolve.js';
import { filterCovers, parseTopicFilter, type TopicFilter } from './topic.js';

/**
 * The `mqtt:` section's cross-field checks, the definition's `check` (so `--check` refuses all a
 * run would): the broker URL, TLS files, session keys, and every subscription's topic filter,
 * JSON paths, templates and format-specific keys. Paths are relative to the section.
 */
export function checkMqttSection(section: MqttConfig): SectionIssue[] {
  const issues: SectionIssue[] = [];
  if (section.subscriptions.length === 0) {
    issues.push({ path: ['subscriptions'], message: 'no subscriptions: say what to read (bridge-mqtt --scan lists the topics on the broker, with entries to paste here)', runOnly: true });
  }
  const url = parseBrokerUrl(section.url);
  if (!url.ok) issues.push({ path: ['url'], message: url.message });
  if (url.ok && !url.url.secure && section.tls !== undefined) {
    issues.push({ path: ['tls'], message: `tls applies to mqtts:// and wss:// only, and the url is ${url.url.scheme}://` });
  }
  const tls = section.tls;
  if (tls && (!url.ok || url.url.secure)) {
    if ((tls.cert === undefined) !== (tls.key === undefined)) issues.push({ path: ['tls', tls.cert === undefined ? 'key' : 'cert'], message: 'a client certificate needs both cert and key' });
    for (const key of ['ca', 'cert', 'key'] as const) {
      const value = tls[key];
      // Key material written where a path belongs is never printed back.
      const problem = value === undefined ? undefined : keyFileProblem(value, { inlinePem: true });
      if (problem !== undefined) issues.push({ path: ['tls', key], message: problem });
    }
  }
  if (section.clean === false && section.client_id === undefined) {
    issues.push({ path: ['clean'], message: 'a persistent session (clean: false) needs a fixed client_id, or the broker cannot find the session again' });
  }
  if (section.session_expiry_s !== undefined && section.protocol_version !== 5) {
    issues.push({ path: ['session_expiry_s'], message: 'session_expiry_s is an MQTT 5 setting: set protocol_version: 5 (MQTT 3.1.1 sessions last until the broker expires them)' });
  }
  const names = new Map<string, number>();
  const filters: (TopicFilter | undefined)[] = [];
  section.subscriptions.forEach((sub, index) => {
    issues.push(...compileSubscription(sub, index).issues);
    const name = sub.name ?? sub.topic;
    const seen = names.get(name);
    if (seen !== undefined) {
      issues.push({
        path: ['subscriptions', index, sub.name === undefined ? 'topic' : 'name'],
        message: `subscriptions[${seen}] already ${sub.name === undefined ? 'subscribes to this topic' : 'has this name'}; merge them (use fields for several values of one payload) or give each a distinct name`,
      });
    } else {
      names.set(name, index);
      const shadow = shadowedBy(sub.topic, filters);
      if (shadow !== undefined) issues.push({ path: ['subscriptions', index, 'topic'], message: shadow });
    }
    const parsed = parseTopicFilter(sub.topic);
    filters.push(parsed.ok ? parsed.filter : undefined);
    const group = parsed.ok ? parsed.filter.shareGroup : undefined;
    if (sub.format === 'sparkplug' && group !== undefined) {
      issues.push({
        path: ['subscriptions', index, 'topic'],
        warning: true,
        message:
          `a shared Sparkplug subscription ($share/${group}/) hands each edge node's messages to one member of the group or another: the births that say what its aliases name, and the seq that orders them, reach one bridge while DATA reaches another, which reads it under unknown aliases or asks for births again and again; ` +
          `subscribe to ${parsed.ok ? parsed.filter.filter : sub.topic} without the $share prefix (one bridge reads a Sparkplug group; split by group, not by share)`,
      });
    }
  });
  return issues;
}

/**
 * Why a subscription would never decode a message, when an earlier one's filter takes every topic
 * its own matches (a message is decoded by the first subscription whose filter matches): what the
 * user wrote for those topics would be silently replaced by the earlier rule.
 */
function shadowedBy(topic: string, earlier: readonly (TopicFilter | undefined)[]): string | undefined {
  const parsed = parseTopicFilter(topic);
  if (!parsed.ok) return undefined;
  const index = earlier.findIndex((outer) => outer !== undefined && filterCovers(outer, parsed.filter));
  if (index < 0) return undefined;
  const outer = earlier[index]!;
  return `every topic "${parsed.filter.filter}" matches is taken by subscriptions[${index}] ("${outer.raw}") first, since a message is decoded by the first subscription whose filter matches: this one would never decode anything. Move it above subscriptions[${index}] to read these topics its way, or remove it`;
}
