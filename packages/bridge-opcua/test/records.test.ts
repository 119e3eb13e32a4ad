import { describe, expect, it } from 'vitest';
import { BuiltinType } from '../src/builtin-types.js';
import { decodeNotificationMessage, type Registered } from '../src/notifications.js';
import { hasOverflow, qualityOf, statusName } from '../src/quality.js';
import { decodeDataValue, decodeEventFields, pickTimestamp, type EventItem, type ValueItem } from '../src/records.js';

const item: ValueItem = { key: 'boiler.temp', nodeId: 'nsu=urn:plant;s=T', timestamps: 'source' };
const RECEIVED = Date.UTC(2025, 0, 1, 0, 0, 10);
const SOURCE = new Date(Date.UTC(2025, 0, 1, 0, 0, 1));
const SERVER = new Date(Date.UTC(2025, 0, 1, 0, 0, 2));

describe('status codes (Part 4, 7.39)', () => {
  it('reads the severity from bits 31-30', () => {
    expect(qualityOf(0)).toBe('good');
    expect(qualityOf(0x00a90000)).toBe('good'); // GoodLocalOverride
    expect(qualityOf(0x40920000)).toBe('uncertain'); // UncertainSensorNotAccurate
    expect(qualityOf(0x808a0000)).toBe('bad'); // BadSensorFailure... any 10xx
    expect(qualityOf(0xc0000000)).toBe('bad');
  });

  it('finds the Overflow bit only when the info type is DataValue', () => {
    expect(hasOverflow(0x00000480)).toBe(true); // InfoType 01, bit 7
    expect(hasOverflow(0x00000080)).toBe(false); // bit 7 without the DataValue info type
    expect(hasOverflow(0x00000400)).toBe(false);
  });

  it('names a status without its info bits, in hexadecimal when no name is known', () => {
    const names = new Map([[0x80340000, 'BadNodeIdUnknown']]);
    expect(statusName(0x80340480, names)).toBe('BadNodeIdUnknown');
    expect(statusName(0x00000480)).toBe('Good');
    expect(statusName(0x80350000)).toBe('0x80350000');
  });
});

describe('pickTimestamp', () => {
  it('falls back from source to server to local', () => {
    expect(pickTimestamp('source', SOURCE, SERVER, RECEIVED)).toEqual({ ms: SOURCE.getTime(), from: 'source' });
    expect(pickTimestamp('source', null, SERVER, RECEIVED)).toEqual({ ms: SERVER.getTime(), from: 'server' });
    expect(pickTimestamp('source', new Date(Date.UTC(1601, 0, 1)), null, RECEIVED)).toEqual({ ms: RECEIVED, from: 'local' });
    expect(pickTimestamp('server', SOURCE, SERVER, RECEIVED)).toEqual({ ms: SERVER.getTime(), from: 'server' });
    expect(pickTimestamp('local', SOURCE, SERVER, RECEIVED)).toEqual({ ms: RECEIVED, from: 'local' });
    expect(pickTimestamp('source', new Date(Number.NaN), undefined, RECEIVED)).toEqual({ ms: RECEIVED, from: 'local' });
  });

  it('falls back the same from a time that cannot be right, and names it', () => {
    const y2000 = new Date(Date.UTC(2000, 0, 1));
    const ahead = new Date(RECEIVED + 25 * 3_600_000);
    expect(pickTimestamp('source', y2000, SERVER, RECEIVED)).toEqual({ ms: SERVER.getTime(), from: 'server', refused: { clock: 'source', ms: y2000.getTime() } });
    expect(pickTimestamp('source', ahead, SERVER, RECEIVED)).toEqual({ ms: SERVER.getTime(), from: 'server', refused: { clock: 'source', ms: ahead.getTime() } });
    expect(pickTimestamp('source', y2000, y2000, RECEIVED)).toEqual({ ms: RECEIVED, from: 'local', refused: { clock: 'source', ms: y2000.getTime() } });
    expect(pickTimestamp('server', SOURCE, new Date(0), RECEIVED)).toEqual({ ms: RECEIVED, from: 'local', refused: { clock: 'server', ms: 0 } });
    // The floor is the sink's own (POINT_LIMITS.minTimestampMs), and a few hours ahead is a drift, not a wrong clock.
    expect(pickTimestamp('source', new Date(1e12), SERVER, RECEIVED)).toEqual({ ms: 1e12, from: 'source' });
    expect(pickTimestamp('source', new Date(RECEIVED + 3_600_000), SERVER, RECEIVED)).toEqual({ ms: RECEIVED + 3_600_000, from: 'source' });
  });
});

describe('decodeDataValue', () => {
  it('makes a record with value, quality, status name, overflow and timestamp', () => {
    const decoded = decodeDataValue(item, { value: { dataType: BuiltinType.Double, value: 21.5 }, statusCode: { value: 0x480 }, sourceTimestamp: SOURCE, serverTimestamp: SERVER }, RECEIVED);
    expect(decoded.record).toEqual({ item, value: 21.5, quality: 'good', status: 'Good', overflow: true, timestampMs: SOURCE.getTime(), timestampFrom: 'source' });
  });

  it('keeps a Bad status without a value as a record, for the caller to tag or drop', () => {
    const decoded = decodeDataValue(item, { value: { dataType: BuiltinType.Null, value: null }, statusCode: { value: 0x808a0000 }, serverTimestamp: SERVER }, RECEIVED, {
      statusNames: new Map([[0x808a0000, 'BadNoCommunication']]),
    });
    expect(decoded.record).toMatchObject({ value: null, quality: 'bad', status: 'BadNoCommunication', timestampFrom: 'server' });
  });

  it('turns a value that cannot be sent into a problem naming the item', () => {
    const decoded = decodeDataValue(item, { value: { dataType: BuiltinType.Double, value: Number.POSITIVE_INFINITY } }, RECEIVED);
    expect(decoded.problem).toEqual({ kind: 'not_finite', item: 'boiler.temp', message: 'boiler.temp (nsu=urn:plant;s=T): Double value Infinity is not a finite number' });
    expect(decodeDataValue(item, null, RECEIVED).problem?.kind).toBe('malformed_notification');
  });
});

const eventItem: EventItem = { key: 'alarms', notifier: 'i=2253', fields: ['EventType', 'Severity', 'Time', 'Message'], timeIndex: 2, timestamps: 'source' };

describe('decodeEventFields', () => {
  it('names the fields, the event type by name, and stamps the event with its Time', () => {
    const time = new Date(Date.UTC(2025, 0, 1, 0, 0, 5));
    const decoded = decodeEventFields(
      eventItem,
      [
        { dataType: BuiltinType.NodeId, value: { identifierType: 1, value: 9341, namespace: 0 } },
        { dataType: BuiltinType.UInt16, value: 700 },
        { dataType: BuiltinType.DateTime, value: time },
        { dataType: BuiltinType.LocalizedText, value: { text: 'Too hot' } },
      ],
      RECEIVED,
      { eventTypeNames: new Map([['i=9341', 'ExclusiveLimitAlarmType']]) },
    );
    expect(decoded).toEqual({
      record: { item: eventItem, fields: { EventType: 'ExclusiveLimitAlarmType', Severity: 700, Time: time.getTime(), Message: 'Too hot' }, timestampMs: time.getTime(), timestampFrom: 'source' },
      problems: [],
    });
  });

  it('keeps the event when a field cannot be sent, with that field null and a problem', () => {
    const decoded = decodeEventFields(eventItem, [null, { dataType: BuiltinType.Double, value: Number.NaN }], RECEIVED);
    expect(decoded.record?.fields).toEqual({ EventType: null, Severity: null, Time: null, Message: null });
    expect(decoded.record?.timestampFrom).toBe('local');
    expect(decoded.problems).toEqual([{ kind: 'not_finite', item: 'alarms', message: 'alarms event field Severity: Double value NaN is not a finite number' }]);
  });
});

describe('decodeNotificationMessage', () => {
  const handles = new Map<number, Registered>([
    [1, { kind: 'value', item }],
    [2, { kind: 'event', item: eventItem }],
  ]);

  it('decodes data changes and events of known handles and counts the rest', () => {
    const batch = decodeNotificationMessage(
      {
        sequenceNumber: 9,
        notificationData: [
          { schema: { name: 'DataChangeNotification' }, monitoredItems: [{ clientHandle: 1, value: { value: { dataType: BuiltinType.Int32, value: 5 } } }, { clientHandle: 77, value: {} }] },
          { schema: { name: 'EventNotificationList' }, events: [{ clientHandle: 2, eventFields: [] }] },
          { schema: { name: 'StatusChangeNotification' }, status: { value: 0x800a0000 } },
        ],
      },
      handles,
      RECEIVED,
    );
    expect(batch.sequenceNumber).toBe(9);
    expect(batch.values.map((v) => v.value)).toEqual([5]);
    expect(batch.events).toHaveLength(1);
    expect(batch.statusChanges).toEqual([0x800a0000]);
    expect(batch.problems).toEqual([{ kind: 'unknown_item', message: '1 notification(s) for items this client does not monitor (deleted while in flight)' }]);
  });

  it('never throws on random messages (fuzz)', () => {
    let seed = 11;
    const rnd = (n: number): number => ((seed = (seed * 48271) % 2147483647) % n);
    const junk = (depth: number): unknown => {
      if (depth > 3) return rnd(3) === 0 ? null : rnd(100);
      switch (rnd(8)) {
        case 0: return null;
        case 1: return rnd(5);
        case 2: return Array.from({ length: rnd(4) }, () => junk(depth + 1));
        case 3: return { clientHandle: rnd(4), value: junk(depth + 1), eventFields: junk(depth + 1) };
        case 4: return { schema: { name: ['DataChangeNotification', 'EventNotificationList', 'StatusChangeNotification', 'x'][rnd(4)] }, monitoredItems: junk(depth + 1), events: junk(depth + 1), status: junk(depth + 1) };
        case 5: return { dataType: rnd(30), value: junk(depth + 1), arrayType: rnd(3) };
        case 6: return 'text';
        default: return undefined;
      }
    };
    for (let i = 0; i < 20_000; i++) {
      const message = { sequenceNumber: rnd(100), notificationData: junk(0) };
      expect(() => decodeNotificationMessage(message as never, handles, RECEIVED)).not.toThrow();
    }
  });
});
