import { EVENT_TYPE_IDS, type EventSelect } from './event-fields.js';
import type { Deadband } from './item-spec.js';
import type { OpcuaModule } from './load.js';

/** The server-side DataChangeFilter for `deadband` (trigger StatusValue), or undefined for none. */
export function dataChangeFilter(opcua: OpcuaModule, deadband: Deadband | undefined): InstanceType<OpcuaModule['DataChangeFilter']> | undefined {
  if (!deadband) return undefined;
  return new opcua.DataChangeFilter({
    trigger: opcua.DataChangeTrigger.StatusValue,
    deadbandType: deadband.type === 'absolute' ? opcua.DeadbandType.Absolute : opcua.DeadbandType.Percent,
    deadbandValue: deadband.value,
  });
}

/**
 * The EventFilter selecting `selects`, and with `minSeverity` a where clause keeping the events
 * with Severity >= `minSeverity` or LastSeverity >= `minSeverity`: a condition's return to normal
 * has Severity 0 (node-opcua's alarms, many servers), and its LastSeverity, the severity it had,
 * lets it through with its raise. Events without LastSeverity (not conditions) compare as null:
 * only their Severity counts.
 */
export function eventFilter(opcua: OpcuaModule, selects: readonly EventSelect[], minSeverity: number | undefined): InstanceType<OpcuaModule['EventFilter']> {
  const selectClauses = selects.map(
    (s) =>
      new opcua.SimpleAttributeOperand({
        typeDefinitionId: opcua.makeNodeId(s.typeId, 0),
        browsePath: s.nodeIdAttribute ? null : s.path.map((p) => new opcua.QualifiedName(p)),
        attributeId: s.nodeIdAttribute ? opcua.AttributeIds.NodeId : opcua.AttributeIds.Value,
      }),
  );
  const atLeast = (typeId: number, field: string) =>
    new opcua.ContentFilterElement({
      filterOperator: opcua.FilterOperator.GreaterThanOrEqual,
      filterOperands: [
        new opcua.SimpleAttributeOperand({
          typeDefinitionId: opcua.makeNodeId(typeId, 0),
          browsePath: [new opcua.QualifiedName({ name: field, namespaceIndex: 0 })],
          attributeId: opcua.AttributeIds.Value,
        }),
        new opcua.LiteralOperand({ value: new opcua.Variant({ dataType: opcua.DataType.UInt16, value: minSeverity }) }),
      ],
    });
  const whereClause =
    minSeverity === undefined
      ? undefined
      : new opcua.ContentFilter({
          elements: [
            new opcua.ContentFilterElement({
              filterOperator: opcua.FilterOperator.Or,
              filterOperands: [new opcua.ElementOperand({ index: 1 }), new opcua.ElementOperand({ index: 2 })],
            }),
            atLeast(EVENT_TYPE_IDS.BaseEventType, 'Severity'),
            atLeast(EVENT_TYPE_IDS.ConditionType, 'LastSeverity'),
          ],
        });
  return new opcua.EventFilter({ selectClauses, ...(whereClause ? { whereClause } : {}) });
}
