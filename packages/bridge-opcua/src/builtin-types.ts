/**
 * The built-in data types of OPC UA (Part 6, 5.1.2, "Built-in Types"): the ids that a Variant's
 * encoding mask carries and that node-opcua's `DataType` enum uses. Kept here so the value
 * conversion does not need node-opcua loaded.
 */
export const BuiltinType = {
  Null: 0,
  Boolean: 1,
  SByte: 2,
  Byte: 3,
  Int16: 4,
  UInt16: 5,
  Int32: 6,
  UInt32: 7,
  Int64: 8,
  UInt64: 9,
  Float: 10,
  Double: 11,
  String: 12,
  DateTime: 13,
  Guid: 14,
  ByteString: 15,
  XmlElement: 16,
  NodeId: 17,
  ExpandedNodeId: 18,
  StatusCode: 19,
  QualifiedName: 20,
  LocalizedText: 21,
  ExtensionObject: 22,
  DataValue: 23,
  Variant: 24,
  DiagnosticInfo: 25,
} as const;

/** Name of a built-in type id. */
export type BuiltinTypeName = keyof typeof BuiltinType;

const NAMES: readonly string[] = Object.keys(BuiltinType);

/** The name of built-in type `id` (`Double` for 11), or `type <id>` for an id outside the table. */
export function builtinTypeName(id: number): string {
  return NAMES[id] ?? `type ${id}`;
}

/** How a Variant holds its value (Part 6, 5.2.2.16): one value, a one-dimensional array, or a matrix. */
export const ArrayKind = { Scalar: 0, Array: 1, Matrix: 2 } as const;

/**
 * Identifier types of a NodeId as node-opcua numbers them (`NodeIdType`), with the letter of
 * the text form (Part 6, 5.3.1.10): `i=` numeric, `s=` string, `g=` Guid, `b=` opaque (base64).
 */
export const IdentifierKind = { Numeric: 1, String: 2, Guid: 3, Opaque: 4 } as const;

/**
 * Ids of the standard data type nodes in namespace 0 whose NodeId equals the built-in type id
 * (i=1 Boolean ... i=25 DiagnosticInfo), plus the abstract and common derived types a browse
 * meets, so a browse can print a DataType attribute by name without another round trip.
 */
export const STANDARD_DATA_TYPE_NAMES: Readonly<Record<number, string>> = {
  ...Object.fromEntries(NAMES.slice(1).map((name, i) => [i + 1, name])),
  // The data type nodes of these two built-in types carry other names (Part 6, 5.1.2).
  22: 'Structure',
  24: 'BaseDataType',
  26: 'Number',
  27: 'Integer',
  28: 'UInteger',
  29: 'Enumeration',
  290: 'Duration',
  294: 'UtcTime',
  295: 'LocaleId',
  884: 'Range',
  887: 'EUInformation',
  852: 'ServerState',
  862: 'ServerStatusDataType',
  338: 'BuildInfo',
};
