import { describe, expect, it } from 'vitest';
import { excerpt, redact, redactUrl } from '../src/shared/text.js';

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
});
