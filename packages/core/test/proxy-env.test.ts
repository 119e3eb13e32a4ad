import { describe, expect, it } from 'vitest';
import { isFieldbridgeError } from '../src/errors.js';
import { noProxyEntryFor, parseProxyUrl, proxyForUrl } from '../src/transport/proxy-env.js';

describe('which proxy variable applies to the sink URL', () => {
  const cases: Array<[string, NodeJS.ProcessEnv, ReturnType<typeof proxyForUrl>]> = [
    ['https://gw.example.com/ingest', {}, {}],
    ['https://gw.example.com/ingest', { HTTPS_PROXY: 'http://a:1' }, { url: 'http://a:1', variable: 'HTTPS_PROXY' }],
    ['wss://gw.example.com/ws/device', { HTTPS_PROXY: 'http://a:1' }, { url: 'http://a:1', variable: 'HTTPS_PROXY' }],
    ['https://gw.example.com/ingest', { https_proxy: 'http://low:1', HTTPS_PROXY: 'http://up:1' }, { url: 'http://low:1', variable: 'https_proxy' }],
    ['https://gw.example.com/ingest', { https_proxy: '', HTTPS_PROXY: 'http://up:1' }, { url: 'http://up:1', variable: 'HTTPS_PROXY' }],
    ['https://gw.example.com/ingest', { HTTP_PROXY: 'http://h:1' }, {}],
    ['https://gw.example.com/ingest', { HTTP_PROXY: 'http://h:1', ALL_PROXY: 'http://all:1' }, { url: 'http://all:1', variable: 'ALL_PROXY' }],
    ['http://gw.example.com/ingest', { HTTPS_PROXY: 'http://s:1', http_proxy: 'http://h:1' }, { url: 'http://h:1', variable: 'http_proxy' }],
    ['ws://gw.example.com/ws/device', { all_proxy: 'http://all:1', ALL_PROXY: 'http://ALL:1' }, { url: 'http://all:1', variable: 'all_proxy' }],
    ['https://gw.example.com/ingest', { HTTPS_PROXY: 'http://a:1', no_proxy: 'example.com', NO_PROXY: 'other.org' }, { variable: 'HTTPS_PROXY', bypassedBy: 'example.com' }],
    ['https://gw.example.com/ingest', { HTTPS_PROXY: 'http://a:1', NO_PROXY: '' }, { url: 'http://a:1', variable: 'HTTPS_PROXY' }],
  ];
  it.each(cases)('%s with %j', (url, env, expected) => {
    expect(proxyForUrl(url, env)).toEqual(expected);
  });
});

describe('NO_PROXY, as curl documents it', () => {
  const cases: Array<[list: string, host: string, port: number, match: string | undefined]> = [
    ['*', 'gw.example.com', 443, '*'],
    ['example.com', 'example.com', 443, 'example.com'],
    ['example.com', 'www.example.com', 443, 'example.com'],
    ['.example.com', 'www.example.com', 443, '.example.com'],
    ['.example.com', 'example.com', 443, '.example.com'],
    ['*.example.com', 'a.b.example.com', 443, '*.example.com'],
    ['example.com', 'notexample.com', 443, undefined],
    ['example.com', 'example.com.org', 443, undefined],
    ['EXAMPLE.com', 'Example.COM.', 443, 'EXAMPLE.com'],
    ['other.org , example.com', 'example.com', 443, 'example.com'],
    ['example.com:8443', 'example.com', 8443, 'example.com:8443'],
    ['example.com:8443', 'example.com', 443, undefined],
    ['10.1.2.3', '10.1.2.3', 443, '10.1.2.3'],
    ['0.1', '10.0.0.1', 443, undefined],
    ['10.0.0.0/8', '10.200.3.4', 443, '10.0.0.0/8'],
    ['10.0.0.0/8', '11.0.0.1', 443, undefined],
    ['::1', '[::1]', 443, '::1'],
    ['[::1]:8443', '[::1]', 8443, '[::1]:8443'],
    ['fd00::/8', '[fd12:3456::1]', 443, 'fd00::/8'],
    ['0:0:0:0:0:0:0:1', '[::1]', 443, '0:0:0:0:0:0:0:1'],
    ['localhost', '127.0.0.1', 443, undefined],
    ['example.com', '10.0.0.1', 443, undefined],
    ['', 'example.com', 443, undefined],
  ];
  it.each(cases)('%j for %s:%d', (list, host, port, match) => {
    expect(noProxyEntryFor(list, host, port)).toBe(match);
  });
});

describe('the proxy URL', () => {
  it('takes credentials apart (percent-decoded) into a Basic header, and prints them as ***', () => {
    expect(parseProxyUrl('http://plant%20user:p%40ss@proxy.corp:3128')).toEqual({
      secure: false,
      host: 'proxy.corp',
      port: 3128,
      display: 'http://***@proxy.corp:3128',
      authorization: `Basic ${Buffer.from('plant user:p@ss').toString('base64')}`,
    });
  });

  it('without a scheme is http://, and without a port the scheme says it', () => {
    expect(parseProxyUrl('proxy.corp:3128')).toMatchObject({ secure: false, port: 3128, display: 'http://proxy.corp:3128' });
    expect(parseProxyUrl('https://proxy.corp')).toMatchObject({ secure: true, port: 443, display: 'https://proxy.corp:443' });
    expect(parseProxyUrl('http://[fd00::1]:3128')).toMatchObject({ host: 'fd00::1', display: 'http://[fd00::1]:3128' });
  });

  it('refuses SOCKS, naming where it came from and not the password', () => {
    let err: unknown;
    try {
      parseProxyUrl('socks5h://u:hunter22@proxy:1080', 'all_proxy');
    } catch (e) {
      err = e;
    }
    expect(isFieldbridgeError(err, 'OPTIONS_INVALID')).toBe(true);
    expect((err as Error).message).toMatch(/^all_proxy is socks5h:\/\/\*\*\*@proxy:1080: fieldbridge tunnels through HTTP proxies only/);
    expect((err as Error).message).not.toContain('hunter22');
  });
});
