import { rateText, textTable } from '@fieldbridge/core/bridge';
import { pgnOf } from './bits/j1939.js';
import type { BusSurveyResult, SurveyedId } from './bus-survey.js';
import type { CanPlan } from './decode-plan.js';
import { DM1_PGN } from './frames/j1939-dm1.js';
import { samePgnMessage } from './pgn-hint.js';
import { formatId } from './resolve.js';

type Reads = 'read' | 'left out' | 'unknown' | 'transport' | 'read (built-in DM1)' | 'off (j1939_dm1)';

/** What the DBC files and the mapping make of an id: the message, whether the mapping reads it, and whether its id filters stop it (then it is never read). */
function describeId(plan: CanPlan, s: SurveyedId, passes: ScanOptions['passes']): { message: string; reads: Reads; filtered: boolean } {
  return { ...describeKnown(plan, s), filtered: passes !== undefined && !passes(s.id, s.extended) };
}

function describeKnown(plan: CanPlan, s: SurveyedId): { message: string; reads: Reads } {
  const decoder = plan.decoder.find(s.id, s.extended);
  if (decoder) {
    const m = decoder.message;
    const pgn = decoder.byPgn ? ` (PGN 0x${pgnOf(s.id).toString(16).toUpperCase().padStart(4, '0')}, from ${s.id & 0xff})` : '';
    return { message: `${m.name}${pgn}`, reads: plan.messages.has(decoder) ? 'read' : 'left out' };
  }
  if (s.extended && pgnOf(s.id) === DM1_PGN) return { message: `J1939 DM1 (trouble codes) from ${s.id & 0xff}`, reads: plan.dm1 ? 'read (built-in DM1)' : 'off (j1939_dm1)' };
  const format = (s.id >>> 16) & 0x3ff;
  if (s.extended && (format === 0xec || format === 0xeb)) return { message: `J1939 transport ${format === 0xec ? 'TP.CM' : 'TP.DT'} from ${s.id & 0xff}`, reads: 'transport' };
  const same = samePgnMessage(plan.exactPgns, s.id, s.extended);
  // The PGN of a message read at another id only: j1939: true reads it from every sender.
  if (same) return { message: `(no DBC entry; PGN of ${same.name}: j1939: true)`, reads: 'unknown' };
  return { message: '(no DBC entry)', reads: 'unknown' };
}

function bytes(s: SurveyedId): string {
  const parts: string[] = [];
  if (s.lengths.length > 0) parts.push([...s.lengths].sort((a, b) => a - b).join(','));
  if (s.remote > 0) parts.push('remote');
  if (s.fd > 0) parts.push('FD');
  return parts.join(' ');
}

const count = (n: number): string => n.toLocaleString('en-US');
const percent = (part: number, whole: number): string => (whole === 0 ? '0' : String(Math.round((100 * part) / whole)));

/** A log read with `replay.channel`: the channel read, and the frames of the others (up to 16 of their names), left out as a run leaves them out. */
export interface LeftOutChannels {
  channel: string;
  frames: number;
  names: string[];
}

/** What else decides what a run reads of the frames surveyed. */
export interface ScanOptions {
  /** A log read with `replay.channel`: the frames of the other channels. */
  leftOut?: LeftOutChannels;
  /** The mapping's id filters (undefined: none): ids they stop are listed `filtered out`. */
  passes?: (id: number, extended: boolean) => boolean;
}

/** The line on the channels `replay.channel` left out; a channel without frames names the ones the log has. */
function leftOutLine(left: LeftOutChannels, read: number): string | undefined {
  if (left.frames === 0) return undefined;
  const names = left.names.join(', ');
  if (read === 0) return `no frame is on channel ${left.channel} (replay.channel); the log's ${count(left.frames)} frames are on ${names}.`;
  return `only channel ${left.channel} is read (replay.channel), as a run reads it: ${count(left.frames)} frames of other channels (${names}) left out; without replay.channel --scan lists them.`;
}

/**
 * Renders a survey (`bridge-can --scan`): one row per id and channel (frames, rate on the frames'
 * own clock, payload lengths, the DBC message it is and whether the mapping reads it), then what
 * the DBC files cover, the channels of a log with several (or those `replay.channel` left out:
 * `leftOut`), and error frames.
 */
export function formatScan(plan: CanPlan, survey: BusSurveyResult, heardFrom: string, options: ScanOptions = {}): string {
  const { leftOut, passes } = options;
  const of = leftOut ? ` of channel ${leftOut.channel}` : '';
  const out: string[] = [`${count(survey.frames)} frames${of} from ${heardFrom}`, ''];
  const left = leftOut ? leftOutLine(leftOut, survey.frames) : undefined;
  if (survey.ids.length === 0) {
    out.push('no frames.');
    if (left) out.push(left);
    return `${out.join('\n')}\n`;
  }
  const several = survey.channels.length > 1;
  const rows = survey.ids.map((s) => {
    const d = describeId(plan, s, passes);
    return [formatId(s.id, s.extended), ...(several ? [s.channel ?? ''] : []), count(s.frames), rateText(s.frames, s.firstMs, s.lastMs), bytes(s), d.message, d.filtered ? 'filtered out' : d.reads];
  });
  out.push(...textTable([['id', ...(several ? ['channel'] : []), 'frames', 'rate', 'bytes', 'message', 'mapping'], ...rows]), '');

  const described = survey.ids.map((s) => ({ s, d: describeId(plan, s, passes) }));
  const framesOf = (reads: string[]): number => described.filter((x) => reads.includes(x.d.reads)).reduce((n, x) => n + x.s.frames, 0);
  const known = described.filter((x) => x.d.reads === 'read' || x.d.reads === 'left out');
  const unknown = described.filter((x) => x.d.reads === 'unknown');
  const dm1 = described.filter((x) => x.d.reads === 'read (built-in DM1)');
  const dataFrames = survey.frames - survey.errorFrames - survey.uncounted;
  // DM1s read without a DBC entry are the bridge's own decoding: counting them as the DBC's would hide a DBC that covers less of the bus.
  const builtIn = dm1.length > 0 ? `; ${count(dm1.length)} J1939 DM1 ids read by the bridge's built-in DM1 decoding, not the DBC (j1939_dm1: true; ${percent(framesOf(['read (built-in DM1)']), dataFrames)}% of the frames)` : '';
  out.push(
    `${count(survey.ids.length)} ids: ${count(known.length)} defined in the DBC files (${percent(framesOf(['read', 'left out']), dataFrames)}% of the frames), ` +
      `${count(described.filter((x) => x.d.reads === 'read' && !x.d.filtered).length)} of them read by this mapping${builtIn}; ${count(unknown.length)} with no DBC entry (${percent(framesOf(['unknown']), dataFrames)}% of the frames).`,
  );
  if (known.length === 0 && unknown.length > 0) {
    out.push(`none of these ids is defined in the DBC files: check that they describe this bus${survey.ids.some((s) => s.extended) && !plan.decoder.decoders.some((d) => d.byPgn) ? ' (a J1939 network whose DBC does not say ProtocolType "J1939" matches by PGN with j1939: true)' : ''}.`);
  }
  const transport = described.filter((x) => x.d.reads === 'transport');
  if (transport.length > 0) out.push(`J1939 transport frames (${count(framesOf(['transport']))}) carry messages longer than a frame; the bridge reassembles those of the PGNs it reads.`);
  if (described.some((x) => x.d.reads === 'off (j1939_dm1)')) out.push('DM1 frames carry the ECUs\' active trouble codes: j1939_dm1: true reads them (lamps, fault count, an event per fault).');
  if (left) out.push(left);
  const filtered = described.filter((x) => x.d.filtered);
  if (filtered.length > 0) out.push(`${count(filtered.length)} ids (${percent(filtered.reduce((n, x) => n + x.s.frames, 0), dataFrames)}% of the frames) do not pass the mapping's filters: a run never reads them.`);
  if (several) {
    out.push(`several channels: ${survey.channels.map(([name, n]) => `${name} (${count(n)} frames)`).join(', ')}; replay.channel reads one of them (one mapping file per bus, each with its DBC files).`);
  }
  if (survey.errorFrames > 0) out.push(`${count(survey.errorFrames)} error frames: check the wiring, termination and bit rate.`);
  if (survey.uncounted > 0) out.push(`${count(survey.uncounted)} frames of further ids were counted only (more than ${count(survey.ids.length)} ids).`);
  return `${out.join('\n')}\n`;
}
