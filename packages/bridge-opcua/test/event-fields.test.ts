import { beforeAll, describe, expect, it } from 'vitest';
import { STANDARD_DATA_TYPE_NAMES } from '../src/builtin-types.js';
import { DEFAULT_EVENT_FIELDS, EVENT_TYPE_IDS, planEventSelects } from '../src/event-fields.js';
import { loadOpcua, type OpcuaModule } from '../src/load.js';

let opcua: OpcuaModule;
beforeAll(async () => {
  opcua = await loadOpcua({ debug() {}, info() {}, warn() {}, error() {} });
});

describe('planEventSelects', () => {
  it('selects the default fields, with Time and BranchId, two-state fields by their Id', () => {
    const selects = planEventSelects();
    expect(selects.map((s) => s.field)).toEqual([...DEFAULT_EVENT_FIELDS]);
    const active = selects.find((s) => s.field === 'ActiveState')!;
    expect(active).toEqual({ field: 'ActiveState', typeId: EVENT_TYPE_IDS.AlarmConditionType, path: [{ name: 'ActiveState', namespaceIndex: 0 }, { name: 'Id', namespaceIndex: 0 }], nodeIdAttribute: false });
    expect(selects.find((s) => s.field === 'Severity')?.typeId).toBe(EVENT_TYPE_IDS.BaseEventType);
  });

  it('adds Time and BranchId, reads dot paths and namespace prefixes, and ConditionId as a NodeId', () => {
    const selects = planEventSelects(['ActiveState.EffectiveDisplayName', '2:Pressure', 'ConditionId']);
    expect(selects.map((s) => s.field)).toEqual(['ActiveState.EffectiveDisplayName', '2:Pressure', 'ConditionId', 'Time', 'BranchId']);
    expect(selects[4]).toMatchObject({ typeId: EVENT_TYPE_IDS.ConditionType, path: [{ name: 'BranchId', namespaceIndex: 0 }] });
    expect(planEventSelects(['BranchId', 'Time']).map((s) => s.field)).toEqual(['BranchId', 'Time']);
    expect(planEventSelects(Array.from({ length: 63 }, (_, i) => `F${i}`))).toHaveLength(65);
    expect(selects[0]!.path).toEqual([{ name: 'ActiveState', namespaceIndex: 0 }, { name: 'EffectiveDisplayName', namespaceIndex: 0 }]);
    expect(selects[1]!.path).toEqual([{ name: 'Pressure', namespaceIndex: 2 }]);
    expect(selects[2]).toMatchObject({ nodeIdAttribute: true, path: [], typeId: EVENT_TYPE_IDS.ConditionType });
  });

  it.each([[['']], [['a..b']], [['Severity', 'Severity']]])('refuses %j', (fields) => {
    expect(() => planEventSelects(fields)).toThrow(/event/);
  });

  it('uses the type ids of the standard (checked against node-opcua’s tables)', () => {
    for (const [name, id] of Object.entries(EVENT_TYPE_IDS)) expect((opcua.ObjectTypeIds as unknown as Record<string, number>)[name]).toBe(id);
    for (const [id, name] of Object.entries(STANDARD_DATA_TYPE_NAMES)) expect((opcua.DataTypeIds as unknown as Record<string, number>)[name]).toBe(Number(id));
  });
});
