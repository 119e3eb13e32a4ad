import { sparkplugWireProblem } from './sparkplug-wire.js';

/**
 * A Sparkplug B scalar, DataSet element or metric as plain data: 64-bit integers as decimal
 * strings (no precision lost before the datatype says how to read them), `value` naming the
 * field that is set (`intValue`, `longValue`, ...).
 */
export interface SparkplugValueFields {
  value?: string;
  intValue?: number;
  longValue?: string;
  floatValue?: number;
  doubleValue?: number;
  booleanValue?: boolean;
  stringValue?: string;
}

/** A Sparkplug B DataSet as plain data. */
export interface SparkplugDataSet {
  numOfColumns?: string;
  columns?: string[];
  types?: number[];
  rows?: { elements?: SparkplugValueFields[] }[];
}

/** A Sparkplug B Template (a UDT definition or instance) as plain data. */
export interface SparkplugTemplate {
  version?: string;
  metrics?: SparkplugMetric[];
  templateRef?: string;
  isDefinition?: boolean;
}

/** A Sparkplug B metric as plain data. */
export interface SparkplugMetric extends SparkplugValueFields {
  name?: string;
  alias?: string;
  /** ms since the epoch, as a decimal string. */
  timestamp?: string;
  /** The Sparkplug datatype number (1 Int8 ... 13 DateTime ... 19 Template). */
  datatype?: number;
  isHistorical?: boolean;
  isTransient?: boolean;
  isNull?: boolean;
  bytesValue?: string;
  datasetValue?: SparkplugDataSet;
  templateValue?: SparkplugTemplate;
}

/** A decoded Sparkplug B payload as plain data. */
export interface SparkplugPayload {
  /** ms since the epoch, as a decimal string. */
  timestamp?: string;
  seq?: string;
  uuid?: string;
  metrics?: SparkplugMetric[];
}

/** Decodes Sparkplug B protobuf payloads, and encodes the one command the bridge sends. */
export interface SparkplugCodec {
  /** Throws on bytes that are not a Payload message. */
  decode(payload: Uint8Array): SparkplugPayload;
  /** An NCMD payload asking an edge node to publish its births again (`Node Control/Rebirth` = true). */
  encodeRebirth(timestampMs: number): Uint8Array;
}

interface PayloadType {
  decode(bytes: Uint8Array): unknown;
  toObject(message: unknown, options: Record<string, unknown>): SparkplugPayload;
  fromObject(object: Record<string, unknown>): unknown;
  encode(message: unknown): { finish(): Uint8Array };
}

interface ProtoRoot {
  org: { eclipse: { tahu: { protobuf: { Payload: PayloadType } } } };
}

let loading: Promise<SparkplugCodec> | undefined;

/**
 * Loads the Sparkplug B protobuf schema (Eclipse Tahu's generated `sparkplug-payload` module,
 * protobufjs inside) on first use, so importing the bridge stays cheap. The values are
 * converted by this package rather than Tahu's `decodePayload`, which throws on DataSets with
 * signed columns and reads large UInt32 values as negative.
 */
export function loadSparkplugCodec(): Promise<SparkplugCodec> {
  loading ??= import('sparkplug-payload/lib/sparkplugPayloadProto.js').then((mod: unknown) => {
    const root = ((mod as { default?: ProtoRoot }).default ?? mod) as ProtoRoot;
    const { Payload } = root.org.eclipse.tahu.protobuf;
    const options = { longs: String, bytes: String, defaults: false, arrays: false, oneofs: true };
    return {
      decode: (payload: Uint8Array): SparkplugPayload => {
        const problem = sparkplugWireProblem(payload);
        if (problem !== undefined) throw new Error(problem);
        return Payload.toObject(Payload.decode(payload), options);
      },
      encodeRebirth: (timestampMs: number): Uint8Array =>
        Payload.encode(
          Payload.fromObject({ timestamp: Math.round(timestampMs), metrics: [{ name: 'Node Control/Rebirth', timestamp: Math.round(timestampMs), datatype: 11, booleanValue: true }] }),
        ).finish(),
    };
  });
  return loading;
}
