import { describeDecodeFixtures } from '@fieldbridge/core/testing';
import { beforeAll, expect } from 'vitest';
import { opcuaBridge } from '../src/bridge.js';
import type { OpcuaConfig } from '../src/config.js';
import { createPointMapper } from '../src/decode.js';
import { planEventSelects } from '../src/event-fields.js';
import { loadOpcua, type OpcuaModule } from '../src/load.js';
import { decodeNotificationMessage, type NotificationMessageLike, type Registered } from '../src/notifications.js';
import { planOpcua } from '../src/plan.js';
import { statusNamesFrom } from '../src/quality.js';

// Each case's notifications.json holds NotificationMessages whose DataValues and event fields
// were encoded by hand after OPC UA Part 6 (fixtures/decode/generate.py, Python's struct, no
// node-opcua). They are decoded here as the subscription does it: node-opcua's binary decoder
// gives the DataValues and Variants, decodeNotificationMessage the records, the bridge's mapper
// the points; expected.json holds the full points and problems worked out by hand.

interface FixtureItem {
  entry: string;
  nodeId: string;
  path?: string[];
  fields?: string[];
}
interface FixtureMessage {
  values?: { handle: number; dataValue: string }[];
  events?: { handle: number; fields: string[] }[];
}
interface Fixture {
  receivedAtMs: number;
  namespaces: string[];
  items: Record<string, FixtureItem>;
  messages: FixtureMessage[];
}

let opcua: OpcuaModule;
beforeAll(async () => {
  opcua = await loadOpcua({ debug() {}, info() {}, warn() {}, error() {} });
});

/** What a client handle stands for, as the subscription registers a resolved target. */
function registered(section: OpcuaConfig, item: FixtureItem): Registered {
  const planned = planOpcua(section);
  if (!planned.ok) throw new Error(JSON.stringify(planned.issues));
  const route = [...planned.plan.routes.values()].find((r) => r.entry === item.entry);
  if (!route) throw new Error(`no entry ${item.entry}`);
  if (route.kind === 'event') {
    const spec = planned.plan.events.find((e) => e.key === route.key)!;
    const fields = planEventSelects(spec.fields).map((s) => s.field);
    if (item.fields) expect(fields, `${item.entry}: the fields the fixture was encoded for`).toEqual(item.fields);
    return { kind: 'event', item: { key: route.key, notifier: item.nodeId, fields, timeIndex: fields.indexOf('Time'), timestamps: spec.timestamps ?? 'source' } };
  }
  const spec = [...planned.plan.variables, ...planned.plan.folders].find((s) => s.key === route.key)!;
  return { kind: 'value', item: { key: route.key, nodeId: item.nodeId, ...(item.path ? { browsePath: item.path } : {}), timestamps: spec.timestamps ?? 'source' } };
}

function decodeFixture(section: OpcuaConfig, input: Buffer): unknown {
  const fixture = JSON.parse(input.toString('utf8')) as Fixture;
  const handles = new Map(Object.entries(fixture.items).map(([handle, item]) => [Number(handle), registered(section, item)]));
  const planned = planOpcua(section);
  if (!planned.ok) throw new Error('the section does not compile');
  const mapper = createPointMapper(planned.plan);
  const options = {
    namespaces: fixture.namespaces,
    statusNames: statusNamesFrom(opcua.StatusCodes),
    eventTypeNames: new Map(Object.entries(opcua.ObjectTypeIds).flatMap(([name, id]) => (typeof id === 'number' ? [[`i=${id}`, name] as const] : []))),
  };
  const bytes = (hex: string) => new opcua.BinaryStream(Buffer.from(hex, 'hex'));
  return fixture.messages.map((message, i) => {
    const monitoredItems = (message.values ?? []).map((v) => {
      const value = new opcua.DataValue();
      value.decode(bytes(v.dataValue));
      return { clientHandle: v.handle, value };
    });
    const events = (message.events ?? []).map((e) => ({
      clientHandle: e.handle,
      eventFields: e.fields.map((hex) => {
        const variant = new opcua.Variant();
        variant.decode(bytes(hex));
        return variant;
      }),
    }));
    const notification = {
      sequenceNumber: i + 1,
      notificationData: [
        { schema: { name: 'DataChangeNotification' }, monitoredItems },
        { schema: { name: 'EventNotificationList' }, events },
      ],
    } as unknown as NotificationMessageLike;
    return mapper.batch(decodeNotificationMessage(notification, handles, fixture.receivedAtMs, options));
  });
}

describeDecodeFixtures({
  dir: new URL('./fixtures/decode/', import.meta.url),
  definition: opcuaBridge,
  input: 'notifications.json',
  decode: (section, input) => decodeFixture(section as OpcuaConfig, input),
  required: ['scalars', 'arrays', 'timestamps', 'quality-tag', 'quality-drop', 'folder-templates', 'events', 'not-sendable'],
});
