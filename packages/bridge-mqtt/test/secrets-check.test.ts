import { describe, expect, it } from 'vitest';
import { checkMqttSection } from '../src/check.js';
import { parseBrokerUrl } from '../src/client-options.js';
import { mqttConfigSchema } from '../src/config.js';

// A secret written where it does not belong is refused without being printed back.
const SECRET = 'S3CR3T-b2d4f6a8c0e2';

describe('refusals that would print a secret', () => {
  it('a broker url with a password that does not parse, or names no host, is refused without its password', () => {
    for (const url of [`mqtt://user:${SECRET}@broker:99999`, `mqtt://user:${SECRET}@`]) {
      const parsed = parseBrokerUrl(url);
      expect(parsed.ok).toBe(false);
      expect(parsed.ok ? '' : parsed.message).not.toContain(SECRET);
    }
  });

  it('key material written in tls.key (a ${VAR} holding the key itself) is refused without being shown', () => {
    const section = mqttConfigSchema.parse({ url: 'mqtts://broker:8883', tls: { cert: '/nonexistent/client.pem', key: `MIIEvQ${SECRET}AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA` }, subscriptions: [{ topic: 'a', format: 'number', metric: 'a' }] });
    const issues = checkMqttSection(section);
    const key = issues.find((i) => i.path.join('.') === 'tls.key');
    expect(key?.message).toMatch(/the value is not shown/);
    expect(JSON.stringify(issues)).not.toContain(SECRET);
    // A path is named, so the user sees which file is missing.
    expect(issues.find((i) => i.path.join('.') === 'tls.cert')?.message).toMatch(/^file \/nonexistent\/client\.pem not found/);
  });
});
