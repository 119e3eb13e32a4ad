import { compileTemplate, namedPlaceholders, reconnectPolicy, type SectionIssue, type Template } from '@fieldbridge/core/bridge';
import { normalizeUuid } from './advert/advert.js';
import { DEFAULT_METRIC, type BleConfig, type BleCustomConfig, type BleDecoder, type BleDeviceConfig, type BleSliceFieldConfig } from './config.js';
import { parseBindKey } from './decode/aes-ccm.js';
import { compileCustomDecoder, type CustomDecoder, type SliceField } from './decode/custom.js';
import { GATT_CHARACTERISTICS } from './gatt/characteristics.js';
import { checkBeaconDecoder, checkBeaconMetric, resolveMatch, type DeviceMatch, type Path } from './resolve-match.js';

export { MATCH_KEYS, matchesBeacons, type DeviceMatch } from './resolve-match.js';

/** Defaults of the optional mapping keys (the reconnect defaults are the kit's). */
export const BLE_DEFAULTS = {
  silentAfterMs: 300_000,
  maxDevicesPerName: 100,
  readIntervalMs: 60_000,
  maxConnections: 5,
  connectTimeoutMs: 10_000,
  operationTimeoutMs: 5000,
  scanMaxDevices: 10_000,
  maxGapMs: 60_000,
  counterRestartAfterMs: 300_000,
} as const;

/** What a metric name is filled from. */
export interface MetricVars {
  device: string;
  measurement: string;
  address: string;
  /** The advertised local name, when one was heard. */
  name: string | undefined;
  /** A beacon fleet's beacon: its label (`2.27`, an instance), which `{name}` falls back to. */
  label?: string | undefined;
}

/** Placeholders a metric template may use. */
export const METRIC_PLACEHOLDERS = ['device', 'measurement', 'address', 'name'] as const;

const placeholders = namedPlaceholders<MetricVars>({
  device: (v) => v.device,
  measurement: (v) => v.measurement,
  address: (v) => v.address,
  // A device heard without a name (passive scanning, a beacon) is named by its address, a fleet's beacon by its identity.
  name: (v) => v.name ?? v.label ?? v.address,
});

/** A GATT characteristic with its defaults applied. */
export interface ResolvedCharacteristic {
  service?: string;
  uuid: string;
  mode: 'notify' | 'read';
  intervalMs: number;
  /** Byte slices, when the mapping gives them (else the built-in decoder of `uuid`). */
  custom?: CustomDecoder;
}

/** A device entry with every default applied, compiled for the hot path. */
export interface ResolvedDevice {
  /** Index in `devices[]`. */
  index: number;
  name: string;
  match: DeviceMatch;
  decoder: BleDecoder;
  bindKey?: Uint8Array;
  /**
   * With `bindKey`: lower encryption counters rising this long (ms) are the sensor's counter
   * restart and become its baseline; 0 refuses them for good. Absent without a bind key.
   */
  counterRestartAfterMs?: number;
  custom?: CustomDecoder;
  characteristics: ResolvedCharacteristic[];
  template: Template<MetricVars>;
  /** The mapping's tags of the device (the bridge adds `device`, `address`, and `unit` where known). */
  tags: Record<string, string>;
  rssi: boolean;
  maxRateHz?: number;
  onChange: boolean;
  /** With `onChange`: an unchanged value is sent anyway once the last one sent is this old, in ms. */
  maxIntervalMs?: number;
  silentAfterMs: number;
  /**
   * `silent_after_s` was given on the entry itself: only then is a BTHome device that says it is
   * trigger based (it sends when something happens, a button) judged silent at all.
   */
  silentAfterGiven: boolean;
  /** Physical devices tracked at once under this entry (1 for an address). */
  maxDevices: number;
}

/** Where adverts come from. */
export type ResolvedSource =
  | { kind: 'adapter'; hci?: number; whenMissing: 'exit' | 'wait'; mode: 'active' | 'passive'; maxDevices: number }
  | { kind: 'replay'; file: string; pace: 'recorded' | 'fast'; speed: number; maxGapMs: number; loop: boolean; timestamps: 'shifted' | 'recorded' };

/** A `ble:` section with every default applied. */
export interface ResolvedBle {
  source: ResolvedSource;
  record?: string;
  gatt: { maxConnections: number; connectTimeoutMs: number; operationTimeoutMs: number };
  reconnect: { initialMs: number; maxMs: number };
  devices: ResolvedDevice[];
}

/** Refusal of a `max_interval` whose entry (or section) does not send on change. */
export const MAX_INTERVAL_NEEDS_ON_CHANGE = 'max_interval applies with on_change: true (it sends an unchanged value once it is this old)';

/** The measurement of the bridge's own event of a device going silent and being heard again. */
const PRESENCE = 'presence';
const PRESENCE_TAKEN = 'measurement presence is the bridge\'s own event of a device going silent and heard again (silent, present): one series would mix both; name this value otherwise, e.g. presence_detected';

/** Tags the bridge may add to a point (device, address, unit, and index or steps): a device's own tags leave room for them. */
const MAX_DEVICE_TAGS = 12;


function sliceSpec(fields: BleSliceFieldConfig[], at: Path, issues: SectionIssue[]): SliceField[] {
  return fields.map((f, k) => {
    const here = (key: string): Path => [...at, 'fields', k, key];
    if (f.type !== 'bits') {
      for (const key of ['bytes', 'bit', 'bits'] as const) if (f[key] !== undefined) issues.push({ path: here(key), message: `${key} applies to type bits only` });
    }
    if (f.measurement === PRESENCE) issues.push({ path: here('measurement'), message: PRESENCE_TAKEN });
    const width = f.type === 'bits' ? (f.bytes ?? 1) : Number(/\d+/.exec(f.type)?.[0] ?? 8) / 8;
    if (f.offset + width > 254) issues.push({ path: here('offset'), message: `${f.type} at offset ${f.offset} runs past byte 253, the end of the longest advert data` });
    if (f.type === 'bits' && (f.bit ?? 0) + (f.bits ?? 1) > width * 8) issues.push({ path: here('bits'), message: `bit ${f.bit ?? 0} + bits ${f.bits ?? 1} pass the ${width * 8} bits read (set bytes)` });
    return {
      measurement: f.measurement,
      offset: f.offset,
      type: f.type,
      ...(f.byte_order ? { byteOrder: f.byte_order } : {}),
      ...(f.bytes !== undefined ? { bytes: f.bytes } : {}),
      ...(f.bit !== undefined ? { bit: f.bit } : {}),
      ...(f.bits !== undefined ? { bits: f.bits } : {}),
      ...(f.scale !== undefined ? { scale: f.scale } : {}),
      ...(f.value_offset !== undefined ? { valueOffset: f.value_offset } : {}),
      ...(f.unit !== undefined ? { unit: f.unit } : {}),
    };
  });
}

function compile(fields: SliceField[], source: Parameters<typeof compileCustomDecoder>[0]['source'], at: Path, issues: SectionIssue[]): CustomDecoder | undefined {
  try {
    return compileCustomDecoder({ source, fields });
  } catch (err) {
    issues.push({ path: at, message: (err as Error).message });
    return undefined;
  }
}

function resolveCustom(custom: BleCustomConfig, at: Path, issues: SectionIssue[]): CustomDecoder | undefined {
  const before = issues.length;
  const fields = sliceSpec(custom.fields, at, issues);
  let uuid: string | undefined;
  if (custom.source === 'service') {
    if (custom.uuid === undefined) issues.push({ path: [...at, 'source'], message: 'source service needs uuid (the service data UUID, e.g. 181a)' });
    else if (!(uuid = normalizeUuid(custom.uuid))) issues.push({ path: [...at, 'uuid'], message: `"${custom.uuid}" is not a 16-, 32- or 128-bit UUID` });
    if (custom.company_id !== undefined) issues.push({ path: [...at, 'company_id'], message: 'company_id applies to source manufacturer only' });
  } else if (custom.uuid !== undefined) {
    issues.push({ path: [...at, 'uuid'], message: 'uuid applies to source service only (use company_id to pick manufacturer data)' });
  }
  if (issues.length > before) return undefined;
  const source = custom.source === 'service' ? { kind: 'service' as const, uuid: uuid! } : { kind: 'manufacturer' as const, ...(custom.company_id !== undefined ? { companyId: custom.company_id } : {}) };
  return compile(fields, source, at, issues);
}

function resolveCharacteristics(device: BleDeviceConfig, at: (...rest: Path) => Path, issues: SectionIssue[]): ResolvedCharacteristic[] {
  return (device.characteristics ?? []).flatMap((c, k): ResolvedCharacteristic[] => {
    const here = (key: string): Path => at('characteristics', k, key);
    const uuid = normalizeUuid(c.uuid);
    const service = c.service === undefined ? undefined : normalizeUuid(c.service);
    if (!uuid) issues.push({ path: here('uuid'), message: `"${c.uuid}" is not a 16-, 32- or 128-bit UUID` });
    if (c.service !== undefined && !service) issues.push({ path: here('service'), message: `"${c.service}" is not a 16-, 32- or 128-bit UUID` });
    if (c.mode === 'notify' && c.interval_ms !== undefined) issues.push({ path: here('interval_ms'), message: 'interval_ms applies to mode read only (notifications come when the device sends them)' });
    if (uuid && !c.fields && !(uuid in GATT_CHARACTERISTICS)) {
      issues.push({ path: here('uuid'), message: `characteristic ${uuid} has no built-in decoder (${Object.keys(GATT_CHARACTERISTICS).join(', ')}): add fields to cut its value into measurements` });
    }
    const before = issues.length;
    const fields = c.fields ? sliceSpec(c.fields, at('characteristics', k), issues) : undefined;
    // The source of a characteristic's slices is its value; `manufacturer` is only the decoder's default shape.
    const custom = fields && issues.length === before ? compile(fields, { kind: 'manufacturer' }, at('characteristics', k, 'fields'), issues) : undefined;
    if (!uuid || (c.service !== undefined && !service)) return [];
    return [{ uuid, mode: c.mode, intervalMs: c.interval_ms ?? BLE_DEFAULTS.readIntervalMs, ...(service ? { service } : {}), ...(custom ? { custom } : {}) }];
  });
}

/** The decoders of formats that can be encrypted with a bind key. */
export const KEYED_DECODERS: ReadonlySet<string> = new Set(['bthome', 'atc', 'pvvx']);

/** Keys that belong to one decoder only. */
function checkDecoderKeys(device: BleDeviceConfig, match: DeviceMatch | undefined, at: (...rest: Path) => Path, issues: SectionIssue[]): void {
  const { decoder } = device;
  if (device.bind_key !== undefined && !KEYED_DECODERS.has(decoder)) issues.push({ path: at('bind_key'), message: 'bind_key applies to decoders bthome, atc and pvvx only (their encrypted adverts)' });
  if (device.counter_restart_after_s !== undefined && (!KEYED_DECODERS.has(decoder) || device.bind_key === undefined)) {
    issues.push({ path: at('counter_restart_after_s'), message: 'counter_restart_after_s applies to encrypted devices only (decoder bthome, atc or pvvx with a bind_key): others send no encryption counter' });
  }
  if (decoder === 'custom' && !device.custom) issues.push({ path: at('decoder'), message: 'decoder custom needs custom: { source, fields }' });
  if (decoder !== 'custom' && device.custom) issues.push({ path: at('custom'), message: 'custom applies to decoder custom only' });
  if (decoder === 'gatt' && !device.characteristics) issues.push({ path: at('decoder'), message: 'decoder gatt needs characteristics: the values to read or subscribe to' });
  if (decoder !== 'gatt' && device.characteristics) issues.push({ path: at('characteristics'), message: 'characteristics apply to decoder gatt only' });
  if (decoder === 'gatt' && match && match.by !== 'address') issues.push({ path: at(match.by), message: 'decoder gatt connects to one device: match it by address' });
  if (device.max_devices !== undefined && match?.by === 'address') issues.push({ path: at('max_devices'), message: 'max_devices applies to entries matched by local_name, local_name_prefix, ibeacon_uuid or eddystone_namespace only (an address is one device)' });
  if (match) checkBeaconDecoder(match, decoder, at, issues);
}

/**
 * Applies the defaults to one device entry and compiles it (template, bind key, custom slices,
 * characteristics), pushing an issue located in the section for everything wrong with it.
 * Returns undefined when the entry cannot be used.
 */
export function resolveDevice(device: BleDeviceConfig, index: number, section: BleConfig, issues: SectionIssue[]): ResolvedDevice | undefined {
  const at = (...rest: Path): Path => ['devices', index, ...rest];
  const before = issues.length;
  const match = resolveMatch(device, at, issues);
  checkDecoderKeys(device, match, at, issues);
  let bindKey: Uint8Array | undefined;
  if (device.bind_key !== undefined && KEYED_DECODERS.has(device.decoder)) {
    try {
      bindKey = parseBindKey(device.bind_key);
    } catch (err) {
      issues.push({ path: at('bind_key'), message: (err as Error).message });
    }
  }
  const custom = device.custom && device.decoder === 'custom' ? resolveCustom(device.custom, at('custom'), issues) : undefined;
  const characteristics = device.decoder === 'gatt' ? resolveCharacteristics(device, at, issues) : [];
  const compiled = compileTemplate(device.metric ?? section.metric ?? DEFAULT_METRIC, placeholders);
  if (!compiled.ok) issues.push({ path: device.metric !== undefined ? at('metric') : ['metric'], message: compiled.message });
  else if (match) checkBeaconMetric(match, device.name, compiled.template.placeholders, device.metric === undefined, at, issues);
  if (device.tags && Object.keys(device.tags).length > MAX_DEVICE_TAGS) {
    issues.push({ path: at('tags'), message: `at most ${MAX_DEVICE_TAGS} tags per device: the bridge adds device, address and unit, and a point carries at most 16` });
  }
  const onChange = device.on_change ?? section.on_change ?? false;
  if (device.max_interval !== undefined && !onChange) issues.push({ path: at('max_interval'), message: MAX_INTERVAL_NEEDS_ON_CHANGE });
  if (issues.length > before || !match || !compiled.ok) return undefined;
  const maxRateHz = device.max_rate_hz ?? section.max_rate_hz;
  const maxIntervalMs = onChange ? (device.max_interval ?? section.max_interval) : undefined;
  return {
    index,
    name: device.name,
    match,
    decoder: device.decoder,
    characteristics,
    template: compiled.template,
    tags: { ...device.tags },
    rssi: device.rssi ?? section.rssi ?? false,
    onChange,
    silentAfterMs: device.silent_after_s ?? section.silent_after_s ?? BLE_DEFAULTS.silentAfterMs,
    silentAfterGiven: device.silent_after_s !== undefined,
    maxDevices: match.by === 'address' ? 1 : (device.max_devices ?? BLE_DEFAULTS.maxDevicesPerName),
    ...(bindKey ? { bindKey, counterRestartAfterMs: device.counter_restart_after_s ?? section.counter_restart_after_s ?? BLE_DEFAULTS.counterRestartAfterMs } : {}),
    ...(custom ? { custom } : {}),
    ...(maxRateHz !== undefined ? { maxRateHz } : {}),
    ...(maxIntervalMs !== undefined ? { maxIntervalMs } : {}),
  };
}

function resolveSource(section: BleConfig): ResolvedSource {
  const replay = typeof section.replay === 'string' ? { file: section.replay } : section.replay;
  if (replay) {
    return {
      kind: 'replay',
      file: replay.file,
      pace: replay.pace ?? 'recorded',
      speed: replay.speed ?? 1,
      maxGapMs: replay.max_gap_ms ?? BLE_DEFAULTS.maxGapMs,
      loop: replay.loop ?? false,
      timestamps: replay.timestamps ?? 'shifted',
    };
  }
  return {
    kind: 'adapter',
    whenMissing: section.adapter?.when_missing ?? 'exit',
    mode: section.scan?.mode ?? 'active',
    maxDevices: section.scan?.max_devices ?? BLE_DEFAULTS.scanMaxDevices,
    ...(section.adapter?.hci !== undefined ? { hci: section.adapter.hci } : {}),
  };
}

/**
 * Applies every default to a validated `ble:` section and compiles its devices. `issues` lists
 * what is wrong with the entries (located in the section); the devices that have issues are
 * left out of `config`.
 */
export function resolveBle(section: BleConfig): { config: ResolvedBle; issues: SectionIssue[] } {
  const issues: SectionIssue[] = [];
  const devices = section.devices.flatMap((device, index) => resolveDevice(device, index, section, issues) ?? []);
  return {
    issues,
    config: {
      source: resolveSource(section),
      gatt: {
        maxConnections: section.gatt?.max_connections ?? BLE_DEFAULTS.maxConnections,
        connectTimeoutMs: section.gatt?.connect_timeout_ms ?? BLE_DEFAULTS.connectTimeoutMs,
        operationTimeoutMs: section.gatt?.operation_timeout_ms ?? BLE_DEFAULTS.operationTimeoutMs,
      },
      reconnect: reconnectPolicy(section.reconnect),
      devices,
      ...(section.record !== undefined ? { record: section.record } : {}),
    },
  };
}
