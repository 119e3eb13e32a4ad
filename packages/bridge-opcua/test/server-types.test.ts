import { describe, expect, it } from 'vitest';
import type { OpcuaConnection } from '../src/connection.js';
import { SIM_NAMESPACE, type OpcuaTestServer } from '../src/server.js';
import { SIM_SCALAR_TYPES } from '../src/sim-address-space.js';
import { subscribe } from '../src/subscription.js';
import { createCleanup } from './helpers/cleanup.js';
import { collector } from './helpers/collect.js';
import { nsu, sessionForFile } from './helpers/servers.js';

const cleanup = createCleanup();
let server: OpcuaTestServer;
let connection: OpcuaConnection;

sessionForFile(cleanup, (s, c) => {
  server = s;
  connection = c;
});

describe('every built-in scalar type and arrays, through a real subscription', () => {
  it('arrives as the values worked out by hand', async () => {
    const c = collector();
    const sub = await subscribe(connection, {
      publishingIntervalMs: 50,
      variables: [
        ...SIM_SCALAR_TYPES.map((type) => ({ key: type, nodeId: nsu(`Types.${type}`) })),
        ...['Double', 'Int32', 'String', 'Boolean', 'Matrix'].map((name) => ({ key: `array.${name}`, nodeId: nsu(`Arrays.${name}`) })),
      ],
      ...c.handlers,
    });
    cleanup.add(() => sub.close());
    const expected: Record<string, unknown> = {
      Boolean: true,
      SByte: -128,
      Byte: 255,
      Int16: -32768,
      UInt16: 65535,
      Int32: -2147483648,
      UInt32: 4294967295,
      Int64: -2, // [0xffffffff, 0xfffffffe]
      UInt64: '18446744073709551615', // 2^64 - 1, beyond 2^53
      Float: 0.1, // float32 0x3dcccccd, shortest decimal
      Double: -1234.5678,
      String: 'Grüße, OPC UA',
      DateTime: Date.UTC(2024, 1, 29, 12, 30, 15, 250),
      Guid: '72962B91-FA75-4AE6-8D28-B404DC7DAF63',
      ByteString: '3q2+7w==', // de ad be ef
      XmlElement: '<a b="1">text</a>',
      NodeId: nsu('Boiler.Temperature'),
      ExpandedNodeId: `nsu=${SIM_NAMESPACE};i=42`,
      StatusCode: 'BadSensorFailure',
      QualifiedName: `${server.namespaceIndex}:Reading`,
      LocalizedText: 'Boiler room',
      ExtensionObject: { low: -5, high: 120.5 }, // a Range
      'array.Double': [1.5, -2.25, 1e300],
      'array.Int32': [1, -2, 2147483647],
      'array.String': ['a', 'b,c', ''],
      'array.Boolean': [true, false, true],
      'array.Matrix': [
        [1, 2, 3],
        [4, 5, 6],
      ],
    };
    for (const [key, value] of Object.entries(expected)) {
      const record = await c.value((v) => v.item.key === key);
      expect(record.value, key).toEqual(value);
      expect(record.quality, key).toBe('good');
      expect(record.item.nodeId, key).toMatch(new RegExp(`^nsu=${SIM_NAMESPACE};`));
    }
    expect(sub.stats()).toMatchObject({ active: Object.keys(expected).length, refused: 0 });
  });

  it('follows values the server changes', async () => {
    const c = collector();
    const sub = await subscribe(connection, {
      publishingIntervalMs: 50,
      variables: [
        { key: 'i64', nodeId: nsu('Types.Int64'), samplingIntervalMs: 0 },
        { key: 'f32', nodeId: nsu('Types.Float'), samplingIntervalMs: 0 },
        { key: 'arr', browsePath: 'Sim/Arrays/Int32', samplingIntervalMs: 0 },
      ],
      ...c.handlers,
    });
    cleanup.add(() => sub.close());
    await c.value((v) => v.item.key === 'arr');
    server.set('Types.Int64', [0x00200000, 1]); // 2^53 + 1
    server.set('Types.Float', Math.fround(3.14159));
    server.set('Arrays.Int32', new Int32Array([7]));
    expect((await c.value((v) => v.item.key === 'i64' && v.value !== -2)).value).toBe('9007199254740993');
    expect((await c.value((v) => v.item.key === 'f32' && v.value !== 0.1)).value).toBe(3.14159);
    expect((await c.value((v) => v.item.key === 'arr' && Array.isArray(v.value) && v.value.length === 1)).value).toEqual([7]);
  });
});
