import { createRequire } from 'node:module';

/** The protobuf type of Eclipse Tahu's `sparkplug-payload`: a Sparkplug B encoder the project did not write. */
interface ProtoPayload {
  fromObject(object: Record<string, unknown>): unknown;
  encode(message: unknown): { finish(): Uint8Array };
}

const { Payload } = (createRequire(import.meta.url)('sparkplug-payload/lib/sparkplugPayloadProto.js') as { org: { eclipse: { tahu: { protobuf: { Payload: ProtoPayload } } } } }).org.eclipse.tahu.protobuf;

/** A Sparkplug B payload (`{ timestamp, seq, metrics: [...] }` in Tahu's protobuf field names) encoded by Tahu. */
export function tahuPayload(fields: Record<string, unknown>): Uint8Array {
  return Payload.encode(Payload.fromObject(fields)).finish();
}
