import { rateText, textTable } from '@fieldbridge/core/bridge';
import type { Dialect } from './dialect.js';
import type { MavlinkConfig } from './config.js';
import type { LinkSurveyResult, SurveyedSender } from './link-survey.js';
import type { MessagePlan } from './message-plan.js';
import { suggestMessages } from './scan-messages.js';
import { filteredBecause, isRadioReport, type SenderFilter } from './sender-filter.js';
import type { ComponentSnapshot } from './vehicle-tracker.js';

const count = (n: number): string => n.toLocaleString('en-US');

/** What a sender's HEARTBEAT says it is: autopilot, vehicle type, mode and armed state. */
function identity(dialect: Dialect, component: ComponentSnapshot | undefined): string {
  const hb = component?.heartbeat;
  if (!hb) return 'no HEARTBEAT heard';
  const name = (enumName: string, value: number): string => dialect.enumEntries(enumName)?.get(value) ?? String(value);
  const parts = [`${name('MAV_AUTOPILOT', hb.autopilot)} ${name('MAV_TYPE', hb.type)}`];
  if (component.flightMode !== undefined) parts.push(component.flightMode);
  if (component.armed !== undefined) parts.push(component.armed ? 'armed' : 'disarmed');
  return parts.join(', ');
}

function link(sender: SurveyedSender, component: ComponentSnapshot | undefined): string {
  const versions = `MAVLink ${sender.versions.join(' and ')}`;
  const signed = sender.signed === 0 ? 'unsigned' : sender.signed === sender.frames ? 'signed' : `${count(sender.signed)} of ${count(sender.frames)} frames signed`;
  const lost = component && component.received + component.lost > 0 ? `, ${((100 * component.lost) / (component.received + component.lost)).toFixed(1)}% lost` : '';
  return `${versions}, ${signed}${lost}`;
}

/** What `formatScan` is told besides the survey. */
export interface ScanFormatOptions {
  /** The mapping's `systems` and `components`. Default: every sender is read. */
  filter?: SenderFilter;
  /** The mapping's `messages`, kept in the suggested block. Default: none (the defaults). */
  messages?: MavlinkConfig['messages'];
}

/**
 * Renders a survey (`bridge-mavlink --scan`): each sender (system, component) with what its
 * HEARTBEAT says it is and how its link fares, then its messages with frames, rate and whether
 * the mapping reads them (`read`, `-`, or `filtered` when the mapping selects the message but
 * its `systems`/`components` drop the sender, said under the table); then what the parser set
 * aside; then the `messages:` block to paste (`suggestMessages`).
 */
export function formatScan(survey: LinkSurveyResult, dialect: Dialect, plan: MessagePlan, heardFrom: string, options: ScanFormatOptions = {}): string {
  const filter = options.filter ?? {};
  const out: string[] = [`${count(survey.frames)} frames from ${count(survey.senders.length)} senders, ${heardFrom}`];
  if (survey.senders.length === 0) out.push('', 'no MAVLink frames: check the connection (the port a vehicle or router sends to, the baud rate of a radio).');
  for (const sender of survey.senders) {
    const component = survey.vehicles.find((v) => v.sysid === sender.sysid)?.components.find((c) => c.compid === sender.compid);
    out.push('', `system ${sender.sysid}, component ${sender.compid}: ${identity(dialect, component)}; ${link(sender, component)}`);
    const dropped = filteredBecause(filter, sender.sysid, sender.compid);
    const radio = (msgid: number): boolean => isRadioReport(sender.compid, msgid);
    const reads = (msgid: number): string => (!plan.selects(msgid) ? '-' : dropped && !radio(msgid) ? 'filtered' : 'read');
    const rows = sender.messages.map((m) => [`  ${m.name}`, count(m.frames), rateText(m.frames, m.firstMs, m.lastMs), reads(m.msgid)]);
    out.push(...textTable([['  message', 'frames', 'rate', 'mapping'], ...rows]));
    if (dropped && sender.messages.some((m) => radio(m.msgid))) out.push(`  filtered: the mapping reads only the radio's RADIO_STATUS from this sender (${dropped}; a telemetry radio's report is read whatever they say)`);
    else if (dropped) out.push(`  filtered: the mapping reads nothing from this sender (${dropped})`);
  }
  const problems = Object.entries(survey.problems).filter(([, n]) => (n ?? 0) > 0);
  if (problems.length > 0) {
    const unknown = survey.unknownIds.length > 0 ? ` (message ids ${survey.unknownIds.map(([id, n]) => `${id} x${n}`).join(', ')}: another dialect?)` : '';
    out.push('', `set aside by the parser: ${problems.map(([kind, n]) => `${kind} ${count(n ?? 0)}${kind === 'garbage' ? ` byte${n === 1 ? '' : 's'}` : ''}`).join(', ')}${unknown}`);
  }
  const block = suggestMessages(survey.senders, options.messages, filter);
  if (block.length > 0) out.push('', ...block);
  return `${out.join('\n')}\n`;
}
