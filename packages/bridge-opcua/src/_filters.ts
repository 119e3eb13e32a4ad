import type { EventSelect } from './event-fields.js';
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

/** The EventFilter selecting `selects`, and keeping only events with Severity >= `minSeverity` when given. */
export function eventFilter(opcua: OpcuaModule, selects: readonly EventSelect[], minSeverity: number | undefined): InstanceType<OpcuaModule['EventFilter']> {
  const selectClauses = selects.map(
    (s) =>
      new opcua.SimpleAttributeOperand({
        typeDefinitionId: opcua.makeNodeId(s.typeId, 0),
        browsePath: s.nodeIdAttribute ? null : s.path.map((p) => new opcua.QualifiedName(p)),
        attributeId: s.nodeIdAttribute ? opcua.AttributeIds.NodeId : opcua.AttributeIds.Value,
      }),
  );
  const whereClause =
    minSeverity === undefined
      ? undefined
      : new opcua.ContentFilter({
          elements: [
            new opcua.ContentFilterElement({
              filterOperator: opcua.FilterOperator.GreaterThanOrEqual,
              filterOperands: [
                new opcua.SimpleAttributeOperand({
                  typeDefinitionId: opcua.makeNodeId(2041, 0),
                  browsePath: [new opcua.QualifiedName({ name: 'Severity', namespaceIndex: 0 })],
                  attributeId: opcua.AttributeIds.Value,
                }),
                new opcua.LiteralOperand({ value: new opcua.Variant({ dataType: opcua.DataType.UInt16, value: minSeverity }) }),
              ],
            }),
          ],
        });
  return new opcua.EventFilter({ selectClauses, ...(whereClause ? { whereClause } : {}) });
}
