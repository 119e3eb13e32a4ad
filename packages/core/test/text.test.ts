import { describe, expect, it } from 'vitest';
import { keyFileProblem } from '../src/shared/key-file.js';
import { excerpt, redact, redactUrl, urlSecrets } from '../src/shared/text.js';

describe('text from peers', () => {
  it('is cut to a bound and made printable', () => {
    expect(excerpt('a'.repeat(1000), 10)).toBe('aaaaaaaaaa... (990 more characters)');
    expect(excerpt('line1\nFAKE 12:00 ERROR forged\u001b[31m')).toBe('line1 FAKE 12:00 ERROR forged\ufffd[31m');
  });

  it('loses the secrets a server echoes back', () => {
    expect(redact('bad request: x-api-key: s3cret-key-123 was refused', ['s3cret-key-123'])).toBe('bad request: x-api-key: *** was refused');
  });

  it('prints URLs without their credentials', () => {
    expect(redactUrl('https://user:pw@gw.example.com/ingest?token=abc&site=a')).toBe('https://***:***@gw.example.com/ingest?token=***&site=a');
    expect(redactUrl('wss://gw.example.com/ws/device?api_key=k')).toBe('wss://gw.example.com/ws/device?api_key=***');
    expect(redactUrl('http://127.0.0.1:8080/ingest')).toBe('http://127.0.0.1:8080/ingest');
    expect(redactUrl('stdout')).toBe('stdout');
  });

  it('drops the user part of text the URL parser refuses', () => {
    expect(redactUrl('tcp://u:pw@127.0.0.1:port')).toBe('tcp://***@127.0.0.1:port');
  });

  it('lists what a URL holds that a server may echo back: the password, credential query values, the Basic header', () => {
    const secrets = urlSecrets('https://me:p%40ss@gw.example.com/ingest?token=t%2Fk&site=a');
    expect(secrets).toEqual(expect.arrayContaining(['p%40ss', 'p@ss', Buffer.from('me:p@ss').toString('base64'), 't/k', 't%2Fk']));
    expect(secrets).not.toContain('a');
    expect(urlSecrets('http://127.0.0.1:8080/ingest')).toEqual([]);
    expect(urlSecrets('stdout')).toEqual([]);
  });

  it('names a missing key file only when the value reads as a path, never key material', () => {
    expect(keyFileProblem('./no-such/client.key', { inlinePem: true })).toMatch(/^file \.\/no-such\/client\.key not found/);
    const material = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj';
    for (const value of [material, 'S3CR3T-key', 'MIIB AAAA BBBB']) {
      const problem = keyFileProblem(value, { inlinePem: true })!;
      expect(problem).toMatch(/the value is not shown/);
      expect(problem).not.toContain(value);
    }
    expect(keyFileProblem('-----BEGIN PRIVATE KEY-----\n...', { inlinePem: true })).toBeUndefined();
    expect(keyFileProblem('-----BEGIN PRIVATE KEY-----\n...')).toMatch(/not shown/);
  });
});
