import { describe, expect, it } from 'vitest';
import { buildClientOptions, describeConnection, parseBrokerUrl } from '../src/client-options.js';
import type { MqttConfig } from '../src/config.js';
import { explainConnectError } from '../src/errors.js';

const subscriptions = [{ topic: 'a', metric: 'a' }];
// Built by hand: the schema would also check that the TLS files exist.
const config = (extra: Record<string, unknown>): MqttConfig => ({ subscriptions, ...extra }) as MqttConfig;
const files = (path: string): Buffer => Buffer.from(`PEM of ${path}`);

describe('broker connection options', () => {
  it('refuses an empty port (a ${PORT} left unset) rather than read it as the default', () => {
    expect(parseBrokerUrl('mqtts://broker.example.com:')).toEqual({ ok: false, message: expect.stringContaining('empty port after ":" (an unset variable?); write the port, or leave out ":" for the default 8883') });
    expect(parseBrokerUrl('ws://h:/mqtt')).toMatchObject({ ok: false });
  });

  // Telegraf's servers and Paho write tcp:// and ssl://; a bare host:port reads as the scheme "host:".
  it('names the URL to write for another tool\'s scheme or a bare host:port', () => {
    const message = (u: string): string => {
      const parsed = parseBrokerUrl(u);
      return parsed.ok ? 'ok' : parsed.message;
    };
    expect(message('ssl://broker.local:8883')).toMatch(/: write mqtts:\/\/broker\.local:8883 \(TLS\)$/);
    expect(message('tcp://10.0.0.5:1883')).toMatch(/: write mqtt:\/\/10\.0\.0\.5:1883$/);
    expect(message('broker.local:1883')).toMatch(/: write mqtt:\/\/broker\.local:1883 \(or mqtts:\/\/broker\.local:1883 for TLS\)$/);
    expect(message('ftp://h')).toBe('url scheme "ftp:" is not one of mqtt://, mqtts://, ws://, wss://');
  });

  it('parses the four schemes with their default ports', () => {
    expect(['mqtt://h', 'mqtts://h', 'ws://h/mqtt', 'wss://h:9001/mqtt', 'mqtt://[::1]:1884'].map((u) => {
      const parsed = parseBrokerUrl(u);
      return parsed.ok ? [parsed.url.scheme, parsed.url.host, parsed.url.port, parsed.url.path] : parsed.message;
    })).toEqual([
      ['mqtt', 'h', 1883, '/'],
      ['mqtts', 'h', 8883, '/'],
      ['ws', 'h', 80, '/mqtt'],
      ['wss', 'h', 9001, '/mqtt'],
      ['mqtt', '::1', 1884, '/'],
    ]);
  });

  it('turns mqtt.js reconnects off and sets MQTT 5 session expiry for persistent sessions', () => {
    // Durations arrive in ms from the schema; MQTT carries seconds.
    const options = buildClientOptions(config({ url: 'mqtt://h', protocol_version: 5, client_id: 'c1', clean: false, session_expiry_s: 600_000, keepalive_s: 10_000 }));
    expect(options).toMatchObject({ url: 'mqtt://h:1883', protocolVersion: 5, clientId: 'c1', clean: false, keepalive: 10, reconnectPeriod: 0, resubscribe: false, properties: { sessionExpiryInterval: 600 } });
    expect(buildClientOptions(config({ url: 'mqtt://h', protocol_version: 5, client_id: 'c', clean: false })).properties).toEqual({ sessionExpiryInterval: 86_400, maximumPacketSize: 1_048_576 });
    expect(buildClientOptions(config({ url: 'mqtt://h' }))).toMatchObject({ protocolVersion: 4, clean: true, clientId: expect.stringMatching(/^fieldbridge-[0-9a-f]{8}$/) });
    expect(buildClientOptions(config({ url: 'mqtt://h', keepalive_s: 1500 })).keepalive).toBe(2);
  });

  it('tells an MQTT 5 broker the largest packet it may send', () => {
    expect(buildClientOptions(config({ url: 'mqtt://h', protocol_version: 5, max_packet_size: 65_536 })).properties).toEqual({ maximumPacketSize: 65_536 });
    expect(buildClientOptions(config({ url: 'mqtt://h', max_packet_size: 65_536 }))).not.toHaveProperty('properties');
  });

  it('reads TLS files, verifies by default, and hands every TLS option to the WebSocket', () => {
    const tls = { ca: '/pki/ca.pem', cert: '/pki/c.pem', key: '/pki/c.key', servername: 'broker.test' };
    const options = buildClientOptions(config({ url: 'wss://h/mqtt', tls }), files);
    expect(options).toMatchObject({ rejectUnauthorized: true, ca: Buffer.from('PEM of /pki/ca.pem'), servername: 'broker.test' });
    expect(options.wsOptions).toMatchObject({ rejectUnauthorized: true, cert: Buffer.from('PEM of /pki/c.pem'), key: Buffer.from('PEM of /pki/c.key'), servername: 'broker.test' });
    const inline = buildClientOptions(config({ url: 'mqtts://h', tls: { ca: '-----BEGIN CERTIFICATE-----\nx', verify: false } }), files);
    expect(inline).toMatchObject({ rejectUnauthorized: false, ca: Buffer.from('-----BEGIN CERTIFICATE-----\nx') });
    expect(() => buildClientOptions(config({ url: 'mqtts://h', tls: { ca: '-----BEGIN CERTIFICATE-----' } }), files)).not.toThrow();
  });

  it('treats empty credentials as none and never describes the password', () => {
    expect(buildClientOptions(config({ url: 'mqtt://h', username: '', password: '' }))).not.toHaveProperty('username');
    const text = describeConnection(config({ url: 'mqtt://h', username: 'u', password: 'topsecret' }));
    expect(text).toContain('user u with a password');
    expect(text).not.toContain('topsecret');
  });

  it('explains refused connections by their reason code', () => {
    const refused = (code: number, message: string) => Object.assign(new Error(`Connection refused: ${message}`), { code });
    expect(explainConnectError(refused(5, 'Not authorized'), false)).toBe("the broker refused the connection: Not authorized (check username and password, and the broker's ACL)");
    expect(explainConnectError(refused(132, 'Unsupported Protocol Version'), false)).toBe('the broker refused the connection: Unsupported Protocol Version (try protocol_version 4)');
    expect(explainConnectError(Object.assign(new Error('getaddrinfo ENOTFOUND nope'), { code: 'ENOTFOUND' }), false)).toBe('cannot resolve the host name (getaddrinfo ENOTFOUND nope)');
  });
});
