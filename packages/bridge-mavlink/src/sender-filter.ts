/**
 * MAV_COMP_ID_TELEMETRY_RADIO: the component id a telemetry radio (SiK, RFD900, mLRS) sends its
 * own `RADIO_STATUS` as; SiK radios use system id 51.
 */
export const TELEMETRY_RADIO_COMPID = 68;

/** RADIO_STATUS (common) and RADIO (ardupilotmega, older SiK firmware): a radio's report on the link. */
const RADIO_REPORT_IDS: ReadonlySet<number> = new Set([109, 166]);

/** The mapping's `systems` and `components`: frames of other senders are dropped unread. */
export interface SenderFilter {
  systems?: readonly number[] | undefined;
  components?: readonly number[] | undefined;
}

/**
 * True for a telemetry radio's report on the link (`RADIO_STATUS` or `RADIO` from component 68):
 * it is about the link, not a vehicle, so `systems` and `components` never drop it (Mission
 * Planner shows the radio's RSSI whichever vehicle is selected). Leave `RADIO_STATUS` out of
 * `messages` not to read it.
 */
export function isRadioReport(compid: number, msgid: number): boolean {
  return compid === TELEMETRY_RADIO_COMPID && RADIO_REPORT_IDS.has(msgid);
}

/**
 * Why `filter` drops the frames of sender `sysid`/`compid` (`system 3 is not in systems: [1, 2]`),
 * or undefined when it reads them. A radio's report is read all the same ({@link isRadioReport}).
 */
export function filteredBecause(filter: SenderFilter, sysid: number, compid: number): string | undefined {
  if (filter.systems && !filter.systems.includes(sysid)) return `system ${sysid} is not in systems: [${filter.systems.join(', ')}]`;
  if (filter.components && !filter.components.includes(compid)) return `component ${compid} is not in components: [${filter.components.join(', ')}]`;
  return undefined;
}

/**
 * The filter as a test for the hot path: true when a frame of `msgid` from `sysid`/`compid` is
 * read; undefined when the mapping filters nothing.
 */
export function compileSenderFilter(filter: SenderFilter): ((sysid: number, compid: number, msgid: number) => boolean) | undefined {
  if (!filter.systems && !filter.components) return undefined;
  const systems = filter.systems ? new Set(filter.systems) : undefined;
  const components = filter.components ? new Set(filter.components) : undefined;
  return (sysid, compid, msgid) => ((!systems || systems.has(sysid)) && (!components || components.has(compid))) || isRadioReport(compid, msgid);
}
