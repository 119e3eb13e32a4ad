import { PassThrough } from 'node:stream';
import { MavLinkPacketParser, MavLinkPacketSplitter, MavLinkProtocolV1, MavLinkProtocolV2, common, minimal, type MavLinkPacket } from 'node-mavlink';

/** node-mavlink's serializer, the reference encoder the issue names. */
export interface NmFrameOptions {
  sysid?: number;
  compid?: number;
  seq?: number;
  version?: 1 | 2;
  /** MAVLink 2 signing: key, link id, Unix ms. */
  sign?: { key: Buffer; linkId: number; unixMs: number };
}

type Message = InstanceType<typeof common.Attitude>;

/** Serialises `message` (a node-mavlink message object) with node-mavlink. */
export function nmFrame(message: object, options: NmFrameOptions = {}): Buffer {
  const sysid = options.sysid ?? 1;
  const compid = options.compid ?? 1;
  if (options.version === 1) return new MavLinkProtocolV1(sysid, compid).serialize(message as Message, options.seq ?? 0);
  const protocol = new MavLinkProtocolV2(sysid, compid, options.sign ? MavLinkProtocolV2.IFLAG_SIGNED : 0);
  const frame = protocol.serialize(message as Message, options.seq ?? 0);
  return options.sign ? protocol.sign(frame, options.sign.linkId, options.sign.key, options.sign.unixMs) : frame;
}

export function nmHeartbeat(values: { type?: number; autopilot?: number; baseMode?: number; customMode?: number; systemStatus?: number } = {}): object {
  const hb = new minimal.Heartbeat();
  hb.type = values.type ?? 2;
  hb.autopilot = values.autopilot ?? 3;
  hb.baseMode = values.baseMode ?? 209;
  hb.customMode = values.customMode ?? 4;
  hb.systemStatus = values.systemStatus ?? 4;
  hb.mavlinkVersion = 3;
  return hb;
}

export function nmAttitude(timeBootMs: number, roll = 0.25): object {
  const att = new common.Attitude();
  att.timeBootMs = timeBootMs;
  att.roll = roll;
  att.pitch = -0.125;
  att.yaw = 1.5;
  att.rollspeed = 0;
  att.pitchspeed = 0;
  att.yawspeed = 0;
  return att;
}

export function nmGlobalPosition(timeBootMs: number, lat = 473977418, lon = 85455939): object {
  const gp = new common.GlobalPositionInt();
  gp.timeBootMs = timeBootMs;
  gp.lat = lat;
  gp.lon = lon;
  gp.alt = 488_000;
  gp.relativeAlt = 25_500;
  gp.vx = 150;
  gp.vy = -20;
  gp.vz = 5;
  gp.hdg = 27_000;
  return gp;
}

/** Parses bytes with node-mavlink's own splitter and parser (an independent reader of what the bridge sends). */
export function nmParse(chunks: readonly Buffer[]): Promise<MavLinkPacket[]> {
  return new Promise((resolve, reject) => {
    const packets: MavLinkPacket[] = [];
    const source = new PassThrough();
    const parser = source.pipe(new MavLinkPacketSplitter()).pipe(new MavLinkPacketParser());
    parser.on('data', (packet: MavLinkPacket) => packets.push(packet));
    parser.on('end', () => resolve(packets));
    parser.on('error', reject);
    for (const chunk of chunks) source.write(chunk);
    source.end();
  });
}

/** A HEARTBEAT packet's fields, decoded by node-mavlink. */
export function nmHeartbeatOf(packet: MavLinkPacket): InstanceType<typeof minimal.Heartbeat> {
  return packet.protocol.data(packet.payload, minimal.Heartbeat);
}
