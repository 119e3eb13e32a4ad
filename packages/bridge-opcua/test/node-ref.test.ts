import { describe, expect, it } from 'vitest';
import { formatNodeRef, nodeIdToText, parseNodeRef, resolveNodeRef, type NodeRef } from '../src/node-ref.js';

const NS = ['http://opcfoundation.org/UA/', 'urn:server', 'urn:plant:boiler'];

describe('parseNodeRef', () => {
  it.each([
    ['i=2253', { namespace: { index: 0 }, identifier: { kind: 'i', value: 2253 } }],
    ['ns=2;s=Boiler.Temperature', { namespace: { index: 2 }, identifier: { kind: 's', value: 'Boiler.Temperature' } }],
    ['nsu=urn:plant:boiler;s=Boiler.Temperature', { namespace: { uri: 'urn:plant:boiler' }, identifier: { kind: 's', value: 'Boiler.Temperature' } }],
    ['nsu=http://x.org/UA/;i=5', { namespace: { uri: 'http://x.org/UA/' }, identifier: { kind: 'i', value: 5 } }],
    ['ns=1;g=09087E75-8E5E-499B-954F-F2A9603DB28A', { namespace: { index: 1 }, identifier: { kind: 'g', value: '09087E75-8E5E-499B-954F-F2A9603DB28A' } }],
    ['ns=1;b=M/RbKBsRVkePCePcx24oRA==', { namespace: { index: 1 }, identifier: { kind: 'b', value: 'M/RbKBsRVkePCePcx24oRA==' } }],
    ['ns=3;s=a;b=c', { namespace: { index: 3 }, identifier: { kind: 's', value: 'a;b=c' } }],
    // S7-1500 names: every part quoted, array elements in brackets, spaces and umlauts.
    ['ns=3;s="DB_Line"."Motor Speed"', { namespace: { index: 3 }, identifier: { kind: 's', value: '"DB_Line"."Motor Speed"' } }],
    ['ns=3;s="DB_Line"."Stations"[0]."Öl"', { namespace: { index: 3 }, identifier: { kind: 's', value: '"DB_Line"."Stations"[0]."Öl"' } }],
    ['ns=4;s=MAIN.fTemp', { namespace: { index: 4 }, identifier: { kind: 's', value: 'MAIN.fTemp' } }],
  ])('reads %s', (text, ref) => {
    expect(parseNodeRef(text)).toEqual({ ok: true, ref });
  });

  it.each([
    ['', /i=, s=, g= or b=/],
    ['Boiler.Temperature', /i=, s=, g= or b=/],
    ['ns=2;Boiler', /i=, s=, g= or b=/],
    ['ns=70000;i=1', /above 65535/],
    ['i=4294967296', /0 to 4294967295/],
    ['i=-1', /whole number/],
    ['ns=1;g=not-a-guid', /Guid/],
    ['ns=1;b=***', /base64/],
    ['ns=2;s=', /empty/],
    ['nsu=;s=x', /not a node id/],
    // What YAML leaves of an unquoted `ns=3;s="DB_Line"."Temp #1"`.
    ['ns=3;s="DB_Line"."Temp', /quotes of the S7 name "DB_Line"."Temp do not pair up.*" #" \(a comment\); put the whole node id in single quotes/],
    // UaExpert's display form.
    ['NS3|String|"DB_Line"."Temp"', /how UaExpert displays a node id; write it as ns=3;s="DB_Line"."Temp"$/],
    ['NS3|String|"DB_Line"."Temp #1"', /write it as 'ns=3;s="DB_Line"."Temp #1"'$/],
    ['NS0|Numeric|2258', /write it as i=2258$/],
    // Neuron's tag address.
    ['2!Boiler.Temperature', /is a Neuron tag address \(namespace!identifier\); write it as ns=2;s=Boiler.Temperature$/],
    ['0!2258', /Neuron tag address .*; write it as i=2258$/],
  ])('refuses %j with what to write instead', (text, why) => {
    const parsed = parseNodeRef(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.message).toMatch(why);
      expect(parsed.message).toMatch(/ns=2;s=Boiler.Temperature|above|0 to|whole|Guid|base64|empty|not a node id|single quotes|write it as/);
    }
  });

  it('reads an nsu= URI\'s reserved characters written as Part 6 escapes them (%3B for ;, %25 for %)', () => {
    const parsed = parseNodeRef('nsu=urn:plant%3Bline=2%25full;s=Boiler.Temperature');
    expect(parsed.ok && parsed.ref.namespace).toEqual({ uri: 'urn:plant;line=2%full' });
    expect(parseNodeRef('nsu=urn:a%3bb;i=1')).toMatchObject({ ok: true, ref: { namespace: { uri: 'urn:a;b' } } });
    expect(nodeIdToText({ identifierType: 2, value: 'T', namespace: 1 }, ['http://opcfoundation.org/UA/', 'urn:plant;line=2%full'])).toBe('nsu=urn:plant%3Bline=2%25full;s=T');
  });

  it('round-trips through formatNodeRef', () => {
    for (const text of ['i=85', 'ns=2;s=X', 'nsu=urn:a;i=7', 'ns=1;b=AAEC', 'nsu=urn:a%3Bb%25c;s=T']) {
      const parsed = parseNodeRef(text);
      expect(parsed.ok && formatNodeRef(parsed.ref)).toBe(text);
    }
  });

  it('never throws on random text (fuzz)', () => {
    const alphabet = 'nsuigb=;:/.0123456789abcdef-+=%';
    let seed = 7;
    const rnd = (n: number): number => ((seed = (seed * 48271) % 2147483647) % n);
    for (let i = 0; i < 20_000; i++) {
      const text = Array.from({ length: rnd(40) }, () => alphabet[rnd(alphabet.length)]).join('');
      const parsed = parseNodeRef(text);
      if (parsed.ok) expect(parseNodeRef(formatNodeRef(parsed.ref))).toEqual(parsed);
    }
    expect(parseNodeRef('s='.padEnd(10_000, 'x')).ok).toBe(false);
  });
});

describe('resolveNodeRef', () => {
  const ref = (text: string): NodeRef => {
    const parsed = parseNodeRef(text);
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.ref;
  };

  it('looks a namespace URI up in the server NamespaceArray', () => {
    expect(resolveNodeRef(ref('nsu=urn:plant:boiler;s=T'), NS)).toEqual({ ok: true, nodeId: 'ns=2;s=T', namespaceIndex: 2 });
    // The same mapping on a server with the namespaces in another order.
    expect(resolveNodeRef(ref('nsu=urn:plant:boiler;s=T'), [NS[0]!, 'urn:other', NS[1]!, NS[2]!])).toEqual({ ok: true, nodeId: 'ns=3;s=T', namespaceIndex: 3 });
    expect(resolveNodeRef(ref('nsu=http://opcfoundation.org/UA/;i=85'), NS)).toEqual({ ok: true, nodeId: 'i=85', namespaceIndex: 0 });
  });

  it('names the URIs the server has when it lacks the one asked for', () => {
    const resolved = resolveNodeRef(ref('nsu=urn:nope;s=T'), NS);
    expect(resolved.ok).toBe(false);
    if (!resolved.ok) expect(resolved.message).toBe('the server has no namespace "urn:nope" (it has 0: http://opcfoundation.org/UA/, 1: urn:server, 2: urn:plant:boiler)');
  });

  it('keeps an index as given, and refuses one past the server NamespaceArray with the namespaces it has', () => {
    expect(resolveNodeRef(ref(`ns=${NS.length - 1};i=1`), NS)).toEqual({ ok: true, nodeId: `ns=${NS.length - 1};i=1`, namespaceIndex: NS.length - 1 });
    expect(resolveNodeRef(ref(`ns=${NS.length};i=1`), NS)).toEqual({ ok: false, message: `the server has no namespace ${NS.length} (it has ${NS.map((uri, i) => `${i}: ${uri}`).join(', ')})` });
    // A NamespaceArray that could not be read refuses nothing.
    expect(resolveNodeRef(ref('ns=5;i=1'), [])).toEqual({ ok: true, nodeId: 'ns=5;i=1', namespaceIndex: 5 });
  });
});

describe('nodeIdToText', () => {
  it('writes node ids from a server with their namespace URI when it is known', () => {
    expect(nodeIdToText({ identifierType: 1, value: 2253, namespace: 0 }, NS)).toBe('i=2253');
    expect(nodeIdToText({ identifierType: 2, value: 'T', namespace: 2 }, NS)).toBe('nsu=urn:plant:boiler;s=T');
    expect(nodeIdToText({ identifierType: 2, value: 'T', namespace: 9 }, NS)).toBe('ns=9;s=T');
    expect(nodeIdToText({ identifierType: 3, value: 'ABCDEF01-0000-0000-0000-000000000000', namespace: 1 })).toBe('ns=1;g=abcdef01-0000-0000-0000-000000000000');
    expect(nodeIdToText({ identifierType: 4, value: Buffer.from([1, 2]), namespace: 1 })).toBe('ns=1;b=AQI=');
    expect(nodeIdToText({ identifierType: 1, value: 1, namespace: 0, namespaceUri: 'urn:x', serverIndex: 1 })).toBe('svr=1;nsu=urn:x;i=1');
  });
});
