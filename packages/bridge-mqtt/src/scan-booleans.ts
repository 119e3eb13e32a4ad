import { booleanWord } from './_values.js';
import { knownPair } from './heard-words.js';
import type { HeardField } from './topic-survey.js';

/**
 * Names of JSON values that hold a switch's or a sensor's state: Zigbee2MQTT's `state` (and a
 * gang's or an endpoint's: `state_l1`, `state_left`), `contact`, `occupancy`, `water_leak`...,
 * Tasmota's `POWER` (`POWER1`) and `Switch1`, in any case. A setting (`power_on_behavior`,
 * `indicator_mode`, `switch_type`) is not one, whatever its value.
 */
const STATE_NAME =
  /^(?:state|power|switch|relay|output|contact|occupancy|presence|motion|water_?leak|smoke|gas|tamper|vibration|alarm)(?:\d{1,2}|_(?:[a-z]{1,3}\d{1,2}|\d{1,2}|left|right|center|centre|top|bottom|middle))?$/i;

/** How a scan proposes a JSON value as a boolean: `type: boolean`, with the device's own words when the bridge has none for them. */
export interface BooleanProposal {
  payload_on?: string;
  payload_off?: string;
}

/** True when `name` (a field's name, see {@link HeardField.name}) says it holds a state (see {@link STATE_NAME}). */
export function isStateName(name: string): boolean {
  return STATE_NAME.test(name);
}

/**
 * Whether a scan proposes a JSON value as `type: boolean`, and with which words; undefined when
 * not. A JSON boolean is one. A string is one only when what was heard supports it: every value
 * its path held was a switch word (`ON`/`off`, `true`/`false`, in any case) and its name says it
 * is a state ({@link isStateName}), or every value was a word of a known pair (`online` /
 * `offline`, Zigbee2MQTT's availability), proposed with that pair as payload_on / payload_off.
 * So a plug's `power_on_behavior: "off"`, whose other values are `on`, `toggle` and `previous`, is
 * no boolean: a later `toggle` would be refused as wrong_type at every message.
 */
export function booleanProposal(field: HeardField): BooleanProposal | undefined {
  if (field.kind === 'boolean') return {};
  if (field.kind !== 'string' || field.words === undefined || field.words.length === 0) return undefined;
  if (isStateName(field.name) && field.words.every((w) => booleanWord(w) !== undefined)) return {};
  const pair = knownPair(field.words);
  return pair ? { payload_on: pair[0], payload_off: pair[1] } : undefined;
}
