import { createDuplicateFrames } from './duplicate-frames.js';
import { readHeartbeat } from './flight-mode.js';
import type { MavlinkFrame } from './frame.js';
import type { ParseProblem, ParseProblemKind } from './parse-problems.js';
import { createVehicleTracker, type VehicleSnapshot } from './vehicle-tracker.js';

/** One message of one sender, as heard. */
export interface SurveyedMessage {
  msgid: number;
  name: string;
  frames: number;
  firstMs: number;
  lastMs: number;
}

/** One sender (system and component), as heard. */
export interface SurveyedSender {
  sysid: number;
  compid: number;
  frames: number;
  versions: (1 | 2)[];
  signed: number;
  /** By message id. */
  messages: SurveyedMessage[];
}

/** Everything a survey heard. */
export interface LinkSurveyResult {
  senders: SurveyedSender[];
  vehicles: VehicleSnapshot[];
  frames: number;
  /** Problems by kind: frames, but bytes for `garbage` (a run of noise is one problem, of any length). */
  problems: Partial<Record<ParseProblemKind, number>>;
  /** Message ids the dialect does not know, with how often. */
  unknownIds: [number, number][];
}

/** A survey of what a MAVLink link carries: senders, their messages and rates, link quality. */
export interface LinkSurvey {
  /** A frame heard over `route` (the peer it came from; default `''`, the link's one route). */
  frame(frame: MavlinkFrame, atMs: number, route?: string): void;
  problems(problems: readonly ParseProblem[]): void;
  /**
   * One parser result: its frames and problems, with the frames of messages the dialect does not
   * have (`whole` problems) counted in their place, so that they are not taken for frames lost.
   * Each route (`LinkChunk.peer`) counts its own loss: a vehicle's ports number their frames apart.
   */
  read(parsed: { frames: readonly MavlinkFrame[]; problems: readonly ParseProblem[] }, atMs: number, route?: string): void;
  result(): LinkSurveyResult;
}

/** Creates a survey of at most `maxSenders` senders (further ones are counted in `frames` only). */
export function createLinkSurvey(maxSenders = 64): LinkSurvey {
  const senders = new Map<number, SurveyedSender & { byId: Map<number, SurveyedMessage> }>();
  const tracker = createVehicleTracker();
  const copies = createDuplicateFrames();
  const problems: Partial<Record<ParseProblemKind, number>> = {};
  const unknownIds = new Map<number, number>();
  let frames = 0;
  const survey: LinkSurvey = {
    read(parsed, atMs, route = '') {
      const unknown = parsed.problems.filter((p) => p.whole !== undefined);
      let next = 0;
      const countUnknown = (before: number): void => {
        for (; next < unknown.length && unknown[next]!.whole!.before <= before; next++) {
          const p = unknown[next]!;
          tracker.counted({ sysid: p.sysid!, compid: p.compid!, seq: p.whole!.seq }, atMs, route);
        }
      };
      parsed.frames.forEach((frame, index) => {
        countUnknown(index);
        survey.frame(frame, atMs, route);
      });
      countUnknown(parsed.frames.length);
      survey.problems(parsed.problems);
    },
    frame(f, atMs, route = '') {
      const heartbeat = f.msgid === 0 ? readHeartbeat(f.payload) : undefined;
      // The same frame over a second route: not a frame more; over a route of its own, that route's frame in its sequence.
      const original = copies.find(f, atMs);
      if (original) {
        if (original.route !== route) tracker.observe(f, atMs, heartbeat, { route, role: 'copy' });
        return;
      }
      copies.remember(f, atMs, route, true);
      frames++;
      tracker.observe(f, atMs, heartbeat, { route });
      const key = f.sysid * 256 + f.compid;
      let sender = senders.get(key);
      if (!sender) {
        if (senders.size >= maxSenders) return;
        sender = { sysid: f.sysid, compid: f.compid, frames: 0, versions: [], signed: 0, messages: [], byId: new Map() };
        senders.set(key, sender);
      }
      sender.frames++;
      if (!sender.versions.includes(f.version)) sender.versions.push(f.version);
      if (f.signature) sender.signed++;
      let message = sender.byId.get(f.msgid);
      if (!message) {
        message = { msgid: f.msgid, name: f.message.name, frames: 0, firstMs: atMs, lastMs: atMs };
        sender.byId.set(f.msgid, message);
      }
      message.frames++;
      message.lastMs = atMs;
    },
    problems(list) {
      for (const p of list) {
        problems[p.kind] = (problems[p.kind] ?? 0) + (p.kind === 'garbage' ? p.bytes : 1);
        if (p.kind === 'unknown_message' && p.msgid !== undefined && (unknownIds.has(p.msgid) || unknownIds.size < 32)) unknownIds.set(p.msgid, (unknownIds.get(p.msgid) ?? 0) + 1);
      }
    },
    result() {
      const list = [...senders.values()]
        .sort((a, b) => a.sysid - b.sysid || a.compid - b.compid)
        .map(({ byId, ...sender }) => ({ ...sender, versions: [...sender.versions].sort(), messages: [...byId.values()].sort((a, b) => a.name.localeCompare(b.name)) }));
      return { senders: list, vehicles: tracker.vehicles(), frames, problems, unknownIds: [...unknownIds].sort((a, b) => a[0] - b[0]) };
    },
  };
  return survey;
}
