import { OpcuaBridgeError } from './errors.js';

/** The fields an event monitor selects when none are named. */
export const DEFAULT_EVENT_FIELDS: readonly string[] = ['EventType', 'SourceName', 'Time', 'Message', 'Severity', 'ConditionName', 'ActiveState', 'AckedState', 'BranchId'];

/**
 * Fields every event monitor selects, added when not named: `Time` stamps the events, `BranchId`
 * tells a condition's branch (a previous state kept for acknowledgement, e.g. an alarm that
 * cleared before it was acknowledged) from its current state (BranchId null).
 */
export const ALWAYS_SELECTED: readonly string[] = ['Time', 'BranchId'];

/** Most fields a monitor selects: the 63 a mapping may name and {@link ALWAYS_SELECTED}. */
export const MAX_EVENT_SELECTS = 63 + ALWAYS_SELECTED.length;

/**
 * Two-state variables of conditions (Part 9): their value is text such as "Active"; the field
 * named alone is read as its `Id` (true/false), which a dashboard can count. Name
 * `ActiveState.EffectiveDisplayName` (or any other sub-field) to read the text.
 */
export const TWO_STATE_FIELDS: readonly string[] = ['ActiveState', 'AckedState', 'ConfirmedState', 'EnabledState', 'SuppressedState'];

/** Standard event and condition type ids (namespace 0, Part 5 and Part 9). */
export const EVENT_TYPE_IDS = {
  BaseEventType: 2041,
  ConditionType: 2782,
  AcknowledgeableConditionType: 2881,
  AlarmConditionType: 2915,
  LimitAlarmType: 2955,
  ExclusiveLimitAlarmType: 9341,
} as const;

// The type that declares each condition field: a select clause names it so that a server that
// checks browse paths against the type (node-opcua does) accepts the path.
const DECLARED_BY: Readonly<Record<string, number>> = {
  ConditionName: EVENT_TYPE_IDS.ConditionType,
  ConditionClassId: EVENT_TYPE_IDS.ConditionType,
  ConditionClassName: EVENT_TYPE_IDS.ConditionType,
  BranchId: EVENT_TYPE_IDS.ConditionType,
  Retain: EVENT_TYPE_IDS.ConditionType,
  EnabledState: EVENT_TYPE_IDS.ConditionType,
  Quality: EVENT_TYPE_IDS.ConditionType,
  LastSeverity: EVENT_TYPE_IDS.ConditionType,
  Comment: EVENT_TYPE_IDS.ConditionType,
  ClientUserId: EVENT_TYPE_IDS.ConditionType,
  AckedState: EVENT_TYPE_IDS.AcknowledgeableConditionType,
  ConfirmedState: EVENT_TYPE_IDS.AcknowledgeableConditionType,
  ActiveState: EVENT_TYPE_IDS.AlarmConditionType,
  SuppressedState: EVENT_TYPE_IDS.AlarmConditionType,
  InputNode: EVENT_TYPE_IDS.AlarmConditionType,
  ShelvingState: EVENT_TYPE_IDS.AlarmConditionType,
  SuppressedOrShelved: EVENT_TYPE_IDS.AlarmConditionType,
  MaxTimeShelved: EVENT_TYPE_IDS.AlarmConditionType,
  HighHighLimit: EVENT_TYPE_IDS.LimitAlarmType,
  HighLimit: EVENT_TYPE_IDS.LimitAlarmType,
  LowLimit: EVENT_TYPE_IDS.LimitAlarmType,
  LowLowLimit: EVENT_TYPE_IDS.LimitAlarmType,
  LimitState: EVENT_TYPE_IDS.ExclusiveLimitAlarmType,
};

/** A select clause, before node-opcua builds it: the declaring type, the browse path, and whether it asks for the NodeId. */
export interface EventSelect {
  /** The field's name in records, as the caller wrote it. */
  field: string;
  typeId: number;
  path: { name: string; namespaceIndex: number }[];
  /** `ConditionId`: the condition's NodeId attribute rather than a value. */
  nodeIdAttribute: boolean;
}

/**
 * The select clauses for `fields` (default {@link DEFAULT_EVENT_FIELDS}), with `Time` and
 * `BranchId` added when missing ({@link ALWAYS_SELECTED}). A path element may carry a namespace
 * index (`2:Pressure`). Throws `NODE_INVALID` for a malformed field. Pure.
 */
export function planEventSelects(fields: readonly string[] = DEFAULT_EVENT_FIELDS, what = 'event'): EventSelect[] {
  const names = [...fields, ...ALWAYS_SELECTED.filter((f) => !fields.includes(f))];
  if (names.length > MAX_EVENT_SELECTS) throw new OpcuaBridgeError('NODE_INVALID', `${what}: more than ${MAX_EVENT_SELECTS - ALWAYS_SELECTED.length} event fields`, { retryable: false });
  if (new Set(names).size !== names.length) throw new OpcuaBridgeError('NODE_INVALID', `${what}: an event field is named twice`, { retryable: false });
  return names.map((field) => {
    if (field === 'ConditionId') return { field, typeId: EVENT_TYPE_IDS.ConditionType, path: [], nodeIdAttribute: true };
    const parts = field.split('.');
    if (field.length === 0 || field.length > 256 || parts.length > 8 || parts.some((p) => p.length === 0)) {
      throw new OpcuaBridgeError('NODE_INVALID', `${what}: "${field}" is not an event field (a browse name, or names joined by dots such as ActiveState.Id)`, { retryable: false });
    }
    const path = parts.map((part) => {
      const prefixed = /^(\d{1,5}):(.+)$/.exec(part);
      return prefixed ? { name: prefixed[2]!, namespaceIndex: Number(prefixed[1]) } : { name: part, namespaceIndex: 0 };
    });
    if (path.length === 1 && TWO_STATE_FIELDS.includes(field)) path.push({ name: 'Id', namespaceIndex: 0 });
    return { field, typeId: DECLARED_BY[path[0]!.name] ?? EVENT_TYPE_IDS.BaseEventType, path, nodeIdAttribute: false };
  });
}
