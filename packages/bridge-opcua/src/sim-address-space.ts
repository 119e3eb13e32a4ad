import type { Namespace, UAObject, UAVariable } from 'node-opcua';
import type { OpcuaModule } from './load.js';

/** The scalar variables below `Sim/Types`, by built-in type name: node id `s=Types.<name>`. */
export const SIM_SCALAR_TYPES = [
  'Boolean', 'SByte', 'Byte', 'Int16', 'UInt16', 'Int32', 'UInt32', 'Int64', 'UInt64', 'Float', 'Double', 'String', 'DateTime',
  'Guid', 'ByteString', 'XmlElement', 'NodeId', 'ExpandedNodeId', 'StatusCode', 'QualifiedName', 'LocalizedText', 'ExtensionObject',
] as const;

/** A scalar type of the simulator. */
export type SimScalarType = (typeof SIM_SCALAR_TYPES)[number];

/**
 * The first value of each scalar variable, as node-opcua takes it. Tests compare what the client
 * makes of them with values worked out by hand (see test/server-types.test.ts).
 */
export function initialScalars(opcua: OpcuaModule, namespaceIndex: number): Record<SimScalarType, unknown> {
  return {
    Boolean: true,
    SByte: -128,
    Byte: 255,
    Int16: -32768,
    UInt16: 65535,
    Int32: -2147483648,
    UInt32: 4294967295,
    // [high, low]: -2 and 2^64 - 1, beyond 2^53 for the unsigned one.
    Int64: [0xffffffff, 0xfffffffe],
    UInt64: [0xffffffff, 0xffffffff],
    Float: 0.1,
    Double: -1234.5678,
    String: 'Grüße, OPC UA',
    DateTime: new Date(Date.UTC(2024, 1, 29, 12, 30, 15, 250)),
    Guid: '72962B91-FA75-4AE6-8D28-B404DC7DAF63',
    ByteString: Buffer.from([0xde, 0xad, 0xbe, 0xef]),
    XmlElement: '<a b="1">text</a>',
    NodeId: opcua.coerceNodeId(`ns=${namespaceIndex};s=Boiler.Temperature`),
    ExpandedNodeId: opcua.makeExpandedNodeId(42, namespaceIndex),
    StatusCode: opcua.StatusCodes.BadSensorFailure,
    QualifiedName: new opcua.QualifiedName({ namespaceIndex, name: 'Reading' }),
    LocalizedText: new opcua.LocalizedText({ locale: 'en', text: 'Boiler room' }),
    ExtensionObject: new opcua.Range({ low: -5, high: 120.5 }),
  };
}

/** What the builder made, for the server to change later. */
export interface SimNodes {
  variables: Map<string, UAVariable>;
  boiler: UAObject;
  alarmInput: UAVariable;
}

function addTo(parent: UAObject, ns: Namespace, opcua: OpcuaModule, key: string, name: string, dataType: string, variant: Record<string, unknown>, extra: Record<string, unknown> = {}): UAVariable {
  return ns.addVariable({
    componentOf: parent,
    browseName: name,
    nodeId: `s=${key}`,
    dataType,
    accessLevel: 'CurrentRead | CurrentWrite',
    userAccessLevel: 'CurrentRead | CurrentWrite',
    value: { dataType: (opcua.DataType as unknown as Record<string, number>)[String(variant.dataType)] ?? variant.dataType, ...variant } as never,
    ...extra,
  });
}

/**
 * Builds the simulator's address space in `ns`: `Sim/Types/<type>` (one variable per scalar
 * type), `Sim/Arrays/{Double,Int32,String,Boolean,Matrix}`, `Boiler/{Temperature (AnalogItem,
 * EURange 0-200 degC), Pressure, Running, Counter}` with an ExclusiveLimitAlarm on the
 * temperature (low 10, high 80, high-high 100) whose events reach the Server object, and
 * `Line1/Motor1..3/{Speed,Current}` for folder subscriptions.
 */
export function buildSimAddressSpace(opcua: OpcuaModule, ns: Namespace, objects: UAObject, server: UAObject): SimNodes {
  const variables = new Map<string, UAVariable>();
  const index = ns.index;
  const sim = ns.addObject({ organizedBy: objects, browseName: 'Sim', nodeId: 's=Sim' });
  const types = ns.addObject({ componentOf: sim, browseName: 'Types', nodeId: 's=Sim.Types', typeDefinition: 'FolderType' });
  const scalars = initialScalars(opcua, index);
  for (const type of SIM_SCALAR_TYPES) {
    const dataType = type === 'ExtensionObject' ? 'Range' : type;
    const key = `Types.${type}`;
    variables.set(key, addTo(types, ns, opcua, key, type, dataType, { dataType: type, arrayType: opcua.VariantArrayType.Scalar, value: scalars[type] }));
  }
  const arrays = ns.addObject({ componentOf: sim, browseName: 'Arrays', nodeId: 's=Sim.Arrays', typeDefinition: 'FolderType' });
  const arrayOf = (name: string, dataType: string, value: unknown, extra: Record<string, unknown> = {}): void => {
    const key = `Arrays.${name}`;
    variables.set(key, addTo(arrays, ns, opcua, key, name, dataType, { dataType, arrayType: opcua.VariantArrayType.Array, value, ...extra }, { valueRank: 1, arrayDimensions: [0] }));
  };
  arrayOf('Double', 'Double', new Float64Array([1.5, -2.25, 1e300]));
  arrayOf('Int32', 'Int32', new Int32Array([1, -2, 2147483647]));
  arrayOf('String', 'String', ['a', 'b,c', '']);
  arrayOf('Boolean', 'Boolean', [true, false, true]);
  const matrixKey = 'Arrays.Matrix';
  variables.set(
    matrixKey,
    addTo(arrays, ns, opcua, matrixKey, 'Matrix', 'Double', { dataType: 'Double', arrayType: opcua.VariantArrayType.Matrix, dimensions: [2, 3], value: new Float64Array([1, 2, 3, 4, 5, 6]) }, { valueRank: 2, arrayDimensions: [2, 3] }),
  );

  const boiler = ns.addObject({ organizedBy: objects, browseName: 'Boiler', nodeId: 's=Boiler', eventSourceOf: server, eventNotifier: 1 });
  const temperature = ns.addAnalogDataItem({
    componentOf: boiler,
    browseName: 'Temperature',
    nodeId: 's=Boiler.Temperature',
    dataType: 'Double',
    engineeringUnitsRange: { low: 0, high: 200 },
    engineeringUnits: opcua.standardUnits.degree_celsius,
    accessLevel: 'CurrentRead | CurrentWrite',
    userAccessLevel: 'CurrentRead | CurrentWrite',
    value: { dataType: opcua.DataType.Double, value: 20 } as never,
  });
  variables.set('Boiler.Temperature', temperature);
  variables.set('Boiler.Pressure', addTo(boiler, ns, opcua, 'Boiler.Pressure', 'Pressure', 'Double', { dataType: 'Double', value: 1.013 }));
  variables.set('Boiler.Running', addTo(boiler, ns, opcua, 'Boiler.Running', 'Running', 'Boolean', { dataType: 'Boolean', value: true }));
  variables.set('Boiler.Counter', addTo(boiler, ns, opcua, 'Boiler.Counter', 'Counter', 'UInt32', { dataType: 'UInt32', value: 0 }));
  ns.instantiateExclusiveLimitAlarm('ExclusiveLimitAlarmType', {
    browseName: 'TemperatureAlarm',
    nodeId: 's=Boiler.TemperatureAlarm',
    componentOf: boiler,
    conditionSource: boiler,
    conditionName: 'TemperatureAlarm',
    inputNode: temperature,
    highHighLimit: 100,
    highLimit: 80,
    lowLimit: 10,
  });

  const line = ns.addObject({ organizedBy: objects, browseName: 'Line1', nodeId: 's=Line1', typeDefinition: 'FolderType' });
  for (let m = 1; m <= 3; m++) {
    const motor = ns.addObject({ organizedBy: line, browseName: `Motor${m}`, nodeId: `s=Line1.Motor${m}` });
    for (const [name, value] of [['Speed', 1000 * m], ['Current', 1.5 * m]] as const) {
      const key = `Line1.Motor${m}.${name}`;
      variables.set(key, addTo(motor, ns, opcua, key, name, 'Double', { dataType: 'Double', value }));
    }
  }
  return { variables, boiler, alarmInput: temperature };
}
