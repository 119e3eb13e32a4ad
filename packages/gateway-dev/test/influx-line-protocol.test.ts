import { describe, expect, it } from 'vitest';
import { isGatewayError, parseLineProtocol } from '../src/index.js';

function parseError(text: string): string {
  try {
    parseLineProtocol(text);
  } catch (err) {
    if (isGatewayError(err, 'LINE_PROTOCOL_INVALID')) return err.message;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(text)} to fail`);
}

describe('parseLineProtocol', () => {
  it('parses measurement, tags, fields and a nanosecond timestamp', () => {
    expect(parseLineProtocol('cpu,host=a,region=eu usage=0.5,count=3i 1700000000000000000')).toEqual([
      { measurement: 'cpu', tags: { host: 'a', region: 'eu' }, fields: { usage: 0.5, count: 3 }, timestampMs: 1_700_000_000_000, line: 1 },
    ]);
  });

  it('unescapes commas, spaces and equals signs in names and tag values', () => {
    const [record] = parseLineProtocol('my\\ meas\\,x,t\\ a\\,g=v\\=1,k\\=ey=a\\ b f\\ 1\\,x\\=y=1');
    expect(record).toMatchObject({
      measurement: 'my meas,x',
      tags: { 't a,g': 'v=1', 'k=ey': 'a b' },
      fields: { 'f 1,x=y': 1 },
    });
  });

  it('keeps other backslashes literal and reads a doubled one as one', () => {
    const [record] = parseLineProtocol('path\\x,dir=C:\\\\tmp\\n f=1');
    expect(record?.measurement).toBe('path\\x');
    expect(record?.tags).toEqual({ dir: 'C:\\tmp\\n' });
  });

  it('reads quoted strings with escaped quotes and backslashes, spaces, commas and equals signs', () => {
    const [record] = parseLineProtocol('m s="a, b=c \\"q\\" \\\\ end",n=1 5');
    expect(record?.fields).toEqual({ s: 'a, b=c "q" \\ end', n: 1 });
    expect(record?.timestampMs).toBeCloseTo(0.000005, 9);
  });

  it('lets a string field span lines and counts lines across it', () => {
    expect(parseError('m s="one\ntwo"\n\nm2 f=2\nm3 oops')).toMatch(/^line 5: /);
    expect(parseLineProtocol('m s="one\ntwo"\n\nm2 f=2').map((r) => [r.line, r.fields])).toEqual([
      [1, { s: 'one\ntwo' }],
      [4, { f: 2 }],
    ]);
  });

  it('reads every boolean spelling, integers, unsigned integers and float forms', () => {
    const [record] = parseLineProtocol(
      'm a=t,b=T,c=true,d=True,e=TRUE,f=f,g=F,h=false,i=False,j=FALSE,k=-42i,l=7u,m=1e3,n=-1.5E-2,o=.5,p=1.,q=+3',
    );
    expect(record?.fields).toEqual({
      a: true, b: true, c: true, d: true, e: true,
      f: false, g: false, h: false, i: false, j: false,
      k: -42, l: 7, m: 1000, n: -0.015, o: 0.5, p: 1, q: 3,
    });
  });

  it('converts timestamps by precision', () => {
    const ts = (text: string, precision: 'ns' | 'us' | 'ms' | 's') => parseLineProtocol(text, precision)[0]?.timestampMs;
    expect(ts('m f=1 1700000000', 's')).toBe(1_700_000_000_000);
    expect(ts('m f=1 1700000000123', 'ms')).toBe(1_700_000_000_123);
    expect(ts('m f=1 1700000000123456', 'us')).toBeCloseTo(1_700_000_000_123.456, 3);
    expect(ts('m f=1 1700000000123456789', 'ns')).toBeCloseTo(1_700_000_000_123.4568, 3);
    expect(ts('m f=1 -1500000', 'ns')).toBe(-1.5);
    expect(ts('m f=1', 'ns')).toBeUndefined();
  });

  it('skips blank lines and comments, and accepts CRLF line ends and trailing spaces', () => {
    const text = '# a comment\r\n\r\ncpu v=1 10\r\n   \r\ncpu v=2  \r\n# end';
    expect(parseLineProtocol(text, 'ms').map((r) => [r.line, r.fields.v, r.timestampMs])).toEqual([
      [3, 1, 10],
      [5, 2, undefined],
    ]);
  });

  it('reads what @influxdata/influxdb-client writes', () => {
    // Point('m e,a').tag('t a,g', 'v=1\n').floatField('f=1', 1.5).intField('i', -3)
    //   .stringField('s', 'he said "hi" \\ x\nnext').booleanField('b', true).uintField('u', 5)
    const line = 'm\\ e\\,a,t\\ a\\,g=v\\=1\\n b=T,f\\=1=1.5,i=-3i,s="he said \\"hi\\" \\\\ x\nnext",u=5u 1700000000123456789';
    expect(parseLineProtocol(line)).toEqual([
      {
        measurement: 'm e,a',
        tags: { 't a,g': 'v=1\\n' },
        fields: { b: true, 'f=1': 1.5, i: -3, s: 'he said "hi" \\ x\nnext', u: 5 },
        timestampMs: expect.closeTo(1_700_000_000_123.4568, 3),
        line: 1,
      },
    ]);
  });

  it.each([
    ['a line without fields', 'cpu', 'missing fields'],
    ['a line with tags but no fields', 'cpu,host=a', 'missing fields'],
    ['a field without a value', 'cpu v=', 'field "v" has an invalid value'],
    ['a bare word value', 'cpu v=abc', 'field "v" has an invalid value'],
    ['a field without =', 'cpu v', 'field "v" must be key=value'],
    ['a tag without a value', 'cpu,host f=1', 'tag "host" must be key=value'],
    ['an empty tag value', 'cpu,host= f=1', 'tag "host" has an empty value'],
    ['a bad timestamp', 'cpu v=1 12x', 'timestamp "12x" must be an integer'],
    ['text after the timestamp', 'cpu v=1 12 13', 'after the timestamp'],
    ['an unterminated string', 'cpu s="abc', 'unterminated string'],
    ['an infinite float', 'cpu v=1e999', 'invalid value'],
    ['a missing measurement', ',t=1 v=1', 'missing measurement'],
  ])('rejects %s', (_name, text, problem) => {
    expect(parseError(text)).toContain(problem);
  });

  it('names the line of the first problem', () => {
    expect(parseError('cpu v=1\ncpu v=2\ncpu v=nope\ncpu')).toMatch(/^line 3: field "v"/);
  });

  it('rejects an unknown precision', () => {
    expect(() => parseLineProtocol('m f=1', 'h' as 'ns')).toThrow(/precision/);
  });
});
