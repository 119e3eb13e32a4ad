import { describe, expect, it } from 'vitest';
import { parseAdStructures } from '../src/advert/ad-structures.js';
import { normalizeAddress, normalizeUuid, type Advert } from '../src/advert/advert.js';
import { formatRecordLine, parseRecordLine } from '../src/advert/record.js';
import { decodeAdvert } from '../src/decode/decode-advert.js';

const hex = (s: string): Uint8Array => Buffer.from(s.replace(/\s/g, ''), 'hex');

const advert: Advert = {
  t: 1767225600000,
  address: 'a4:c1:38:12:34:56',
  addressType: 'public',
  name: 'ATC_123456',
  rssi: -67,
  txPower: 4,
  manufacturerData: hex('9904 0512fc'),
  serviceData: [{ uuid: 'fcd2', data: hex('4002c409') }],
  serviceUuids: ['181a'],
};

describe('the advert record', () => {
  it('writes one line in the documented key order and reads it back', () => {
    const line = formatRecordLine(advert);
    expect(line).toBe('{"t":1767225600000,"address":"a4:c1:38:12:34:56","address_type":"public","name":"ATC_123456","rssi":-67,"tx_power":4,"manufacturer_data":"99040512fc","service_data":[{"uuid":"fcd2","data":"4002c409"}],"service_uuids":["181a"]}');
    const back = parseRecordLine(line);
    expect(back.ok && back.advert).toEqual({ ...advert, manufacturerData: expect.any(Uint8Array), serviceData: [{ uuid: 'fcd2', data: expect.any(Uint8Array) }] });
    expect(back.ok && Buffer.from(back.advert.manufacturerData!).toString('hex')).toBe('99040512fc');
  });

  it('leaves optional keys out rather than writing null', () => {
    expect(formatRecordLine({ t: 1, address: 'a4:c1:38:12:34:56', addressType: 'random', rssi: -90 })).toBe('{"t":1,"address":"a4:c1:38:12:34:56","address_type":"random","rssi":-90}');
  });

  it('normalizes what people write: upper case, dashes, 0x and base-UUID forms', () => {
    const r = parseRecordLine('{"t":5,"address":"A4-C1-38-12-34-56","address_type":"public","rssi":-1,"service_data":[{"uuid":"0000FCD2-0000-1000-8000-00805F9B34FB","data":"40"}],"service_uuids":["0x181A"],"future_key":1}');
    expect(r.ok && r.advert).toMatchObject({ address: 'a4:c1:38:12:34:56', serviceData: [{ uuid: 'fcd2' }], serviceUuids: ['181a'] });
  });

  it.each([
    ['', 'not a JSON object'],
    ['[1]', 'not a JSON object'],
    ['{"address":"a4:c1:38:12:34:56","address_type":"public","rssi":-1}', 't is not'],
    ['{"t":1,"address":"a4:c1:38:12:34","address_type":"public","rssi":-1}', 'address is not'],
    ['{"t":1,"address":"a4:c1:38:12:34:56","address_type":"static","rssi":-1}', 'address_type'],
    ['{"t":1,"address":"a4:c1:38:12:34:56","address_type":"public","rssi":-1.5}', 'rssi'],
    ['{"t":1,"address":"a4:c1:38:12:34:56","address_type":"public","rssi":-1,"manufacturer_data":"abc"}', 'even number of hex'],
    ['{"t":1,"address":"a4:c1:38:12:34:56","address_type":"public","rssi":-1,"manufacturer_data":"ab"}', 'fewer than 2 bytes'],
    [`{"t":1,"address":"a4:c1:38:12:34:56","address_type":"public","rssi":-1,"manufacturer_data":"${'ab'.repeat(255)}"}`, 'longer than 254'],
    ['{"t":1,"address":"a4:c1:38:12:34:56","address_type":"public","rssi":-1,"service_data":[{"uuid":"xyz","data":""}]}', 'uuid is not'],
    [`{"t":1,"address":"a4:c1:38:12:34:56","address_type":"public","rssi":-1,"service_data":${JSON.stringify(Array(17).fill({ uuid: 'fcd2', data: '' }))}}`, 'more than 16'],
    [`{"t":1,"address":"a4:c1:38:12:34:56","address_type":"public","rssi":-1,"name":"${'n'.repeat(249)}"}`, 'name is not'],
  ])('refuses %s', (line, reason) => {
    const r = parseRecordLine(line);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain(reason);
  });
});

describe('UUIDs and addresses', () => {
  it.each([
    ['fcd2', 'fcd2'], ['FCD2', 'fcd2'], ['0xfcd2', 'fcd2'], ['fcd', '0fcd'], ['0000fcd2-0000-1000-8000-00805f9b34fb', 'fcd2'],
    ['12345678-0000-1000-8000-00805f9b34fb', '12345678'], ['6e400001-b5a3-f393-e0a9-e50e24dcca9e', '6e400001b5a3f393e0a9e50e24dcca9e'],
  ])('normalizeUuid(%s) is %s', (input, output) => expect(normalizeUuid(input)).toBe(output));

  it('refuses what is not a UUID or an address', () => {
    expect(normalizeUuid('g123')).toBeUndefined();
    expect(normalizeUuid('123456789')).toBeUndefined();
    expect(normalizeAddress('A4C138123456')).toBe('a4:c1:38:12:34:56');
    expect(normalizeAddress('a4:c1:38:12:34')).toBeUndefined();
  });
});

describe('advertising data (AD structures)', () => {
  it('splits the BTHome format page\'s example payload and decodes it', () => {
    // https://bthome.io/format/: 020106 0B094449592D73656E736F72 0A16D2FC4002C40903BF13
    const { fields, problems } = parseAdStructures(hex('020106 0B094449592D73656E736F72 0A16D2FC4002C40903BF13'));
    expect(problems).toEqual([]);
    expect(fields.flags).toBe(0x06);
    expect(fields.name).toBe('DIY-sensor');
    expect(fields.serviceData?.map((s) => [s.uuid, Buffer.from(s.data).toString('hex')])).toEqual([['fcd2', '4002c40903bf13']]);
    const decoded = decodeAdvert({ t: 0, address: 'a4:c1:38:00:00:00', addressType: 'public', rssi: -50, ...fields }, { decoder: 'bthome' });
    expect(decoded.measurements.map((m) => [m.measurement, m.value])).toEqual([['temperature', 25], ['humidity', 50.55]]);
  });

  it('reads UUID lists, TX power and manufacturer data, and stops at a structure that runs past the end', () => {
    // 16-bit list 0x181a, 0xfcd2; 128-bit list (bytes reversed on air); TX power -4; manufacturer data 0x0499 + 05
    const { fields, problems } = parseAdStructures(hex('05031a18d2fc 1107 9ecadc240ee5a9e093f3a3b50100406e 020afc 04ff990405 05ff01'));
    expect(fields.serviceUuids).toEqual(['181a', 'fcd2', '6e400001b5a3f393e0a9e50e24dcca9e']);
    expect(fields.txPower).toBe(-4);
    expect(Buffer.from(fields.manufacturerData!).toString('hex')).toBe('990405');
    expect(problems.map((p) => p.kind)).toEqual(['truncated']);
  });

  it('treats a zero length as the end of the data (padding)', () => {
    expect(parseAdStructures(hex('020106 00 ffffff'))).toEqual({ fields: { flags: 6 }, problems: [] });
  });
});
