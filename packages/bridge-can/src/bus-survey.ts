import type { CanFrame } from './frames/can-frame.js';

/** What a survey saw of one id on one channel. */
export interface SurveyedId {
  id: number;
  extended: boolean;
  /** The interface or log channel (`can0`, `1`), when the source names it. */
  channel: string | undefined;
  frames: number;
  /** CAN FD frames among them. */
  fd: number;
  /** Remote frames among them. */
  remote: number;
  /** Payload lengths seen (up to 8 different ones). */
  lengths: number[];
  firstMs: number;
  lastMs: number;
}

/** Everything a survey saw. */
export interface BusSurveyResult {
  ids: SurveyedId[];
  frames: number;
  errorFrames: number;
  /** Frames of ids past the bound, counted only. */
  uncounted: number;
  /** Frames per channel, in the order the channels were first seen. */
  channels: [string, number][];
  firstMs: number | undefined;
  lastMs: number | undefined;
}

/** A survey of the frames of a bus or a log: per id and channel, how many, how long, how often. */
export interface BusSurvey {
  frame(frame: CanFrame): void;
  result(): BusSurveyResult;
}

/** Creates a survey holding at most `maxIds` ids (by id, extended flag and channel); later ones are counted only. */
export function createBusSurvey(maxIds = 4096): BusSurvey {
  const ids = new Map<string, SurveyedId>();
  const channels = new Map<string, number>();
  let frames = 0;
  let errorFrames = 0;
  let uncounted = 0;
  let firstMs: number | undefined;
  let lastMs: number | undefined;
  return {
    frame(f) {
      frames++;
      firstMs ??= f.timestampMs;
      lastMs = f.timestampMs;
      const channel = f.interface;
      if (channel !== undefined) channels.set(channel, (channels.get(channel) ?? 0) + 1);
      if (f.error) {
        errorFrames++;
        return;
      }
      const key = `${f.extended ? 'x' : 's'}${f.id}/${channel ?? ''}`;
      let seen = ids.get(key);
      if (!seen) {
        if (ids.size >= maxIds) {
          uncounted++;
          return;
        }
        seen = { id: f.id, extended: f.extended, channel, frames: 0, fd: 0, remote: 0, lengths: [], firstMs: f.timestampMs, lastMs: f.timestampMs };
        ids.set(key, seen);
      }
      seen.frames++;
      if (f.fd) seen.fd++;
      if (f.rtr) seen.remote++;
      else if (seen.lengths.length < 8 && !seen.lengths.includes(f.data.length)) seen.lengths.push(f.data.length);
      seen.lastMs = f.timestampMs;
    },
    result() {
      const list = [...ids.values()].sort((a, b) => Number(a.extended) - Number(b.extended) || a.id - b.id || (a.channel ?? '').localeCompare(b.channel ?? ''));
      return { ids: list, frames, errorFrames, uncounted, channels: [...channels], firstMs, lastMs };
    },
  };
}
