import type { Point, PointValue, Tags } from '@fieldbridge/core';
import { dataSetValue, DATASET_TYPE, isScalarType, scalarValue, TEMPLATE_TYPE, typeName } from './_sparkplug-values.js';
import { toEpochMs } from './_values.js';
import { makePoint, renderTags } from './_points.js';
import type { DecodeProblem, DecodeResult, MqttMessage } from './decode.js';
import type { ResolvedSubscription } from './resolve.js';
import type { SparkplugCodec, SparkplugMetric, SparkplugPayload } from './sparkplug-codec.js';
import { renderMetricName, type TemplateVars } from './template.js';

/** The Sparkplug B topic namespace. */
export const SPARKPLUG_NAMESPACE = 'spBv1.0';

/** Message types carrying telemetry or state; commands (NCMD/DCMD) and STATE are skipped. */
export const SPARKPLUG_MESSAGE_TYPES = ['NBIRTH', 'NDATA', 'NDEATH', 'DBIRTH', 'DDATA', 'DDEATH'] as const;

/** A Sparkplug topic's parts. */
export interface SparkplugTopic {
  group: string;
  type: string;
  edgeNode: string;
  /** '' for node-level messages. */
  device: string;
}

/** Metric names of a birth certificate that are session bookkeeping, not telemetry. */
const BOOKKEEPING = /^(bdSeq$|Node Control\/|Device Control\/)/;

/** What is known of an edge node or device from its latest birth certificate. */
export interface SparkplugScope {
  /** alias (decimal) -> name and datatype, from the latest birth. */
  aliases: Map<string, { name: string; datatype: number | undefined }>;
  /** name -> datatype, for DATA metrics that omit theirs. */
  types: Map<string, number>;
  online: boolean;
}

/** An edge node's scope: its own metrics, its birth's `bdSeq`, and its devices. */
export interface SparkplugNodeScope extends SparkplugScope {
  bdSeq: string | undefined;
  devices: Map<string, SparkplugScope>;
}

/**
 * What Sparkplug decoding remembers between messages: per edge node (and per device) the
 * aliases and datatypes of its latest birth certificate, its `bdSeq`, and whether it is online.
 * An NBIRTH replaces the node's tables and forgets its devices; a DBIRTH replaces the device's.
 */
export class SparkplugState {
  private readonly nodes = new Map<string, SparkplugNodeScope>();

  /** Number of edge nodes with a table. */
  get size(): number {
    return this.nodes.size;
  }

  /** The node's scope, created empty when unknown. */
  node(group: string, edgeNode: string, reset = false): SparkplugNodeScope {
    const key = `${group}/${edgeNode}`;
    let node = this.nodes.get(key);
    if (!node || reset) {
      node = { aliases: new Map(), types: new Map(), online: false, bdSeq: undefined, devices: new Map() };
      this.nodes.set(key, node);
    }
    return node;
  }

  /** The device's scope, created empty when unknown. */
  device(node: SparkplugNodeScope, device: string, reset = false): SparkplugScope {
    let scope = node.devices.get(device);
    if (!scope || reset) {
      scope = { aliases: new Map(), types: new Map(), online: false };
      node.devices.set(device, scope);
    }
    return scope;
  }
}

/** Codec and state for {@link decodeMessage} on format sparkplug. */
export interface SparkplugContext {
  codec: SparkplugCodec;
  state: SparkplugState;
}

/** Parses `spBv1.0/<group>/<type>/<edge node>[/<device>]`; undefined when it is not one. */
export function parseSparkplugTopic(levels: readonly string[]): SparkplugTopic | undefined {
  const [ns, group, type, edgeNode, device, ...rest] = levels;
  if (ns !== SPARKPLUG_NAMESPACE || !group || !type || !edgeNode || rest.length > 0) return undefined;
  return { group, type, edgeNode, device: device ?? '' };
}

interface Emit {
  sub: ResolvedSubscription;
  receivedAtMs: number;
  topic: SparkplugTopic;
  levels: readonly string[];
  points: Point[];
  problems: DecodeProblem[];
  /** Set when an alias was unknown: the node's birth is needed. */
  rebirth: boolean;
}

/** Decodes a Sparkplug B message (see {@link SparkplugState} for what is kept between messages). */
export function decodeSparkplug(sub: ResolvedSubscription, message: MqttMessage, levels: readonly string[], context: SparkplugContext): DecodeResult {
  const points: Point[] = [];
  const problems: DecodeProblem[] = [];
  if (levels[0] === SPARKPLUG_NAMESPACE && levels[1] === 'STATE') return { points, problems };
  const topic = parseSparkplugTopic(levels);
  if (!topic) {
    return { points, problems: [{ kind: 'invalid_sparkplug', message: `"${message.topic}" is not a Sparkplug B topic (spBv1.0/<group>/<type>/<edge node>[/<device>])` }] };
  }
  if (!(SPARKPLUG_MESSAGE_TYPES as readonly string[]).includes(topic.type)) return { points, problems };
  const deviceLevel = topic.type.startsWith('D');
  if (deviceLevel !== (topic.device !== '')) {
    return { points, problems: [{ kind: 'invalid_sparkplug', message: `${topic.type} ${deviceLevel ? 'needs' : 'takes no'} device level in "${message.topic}"` }] };
  }
  let payload: SparkplugPayload;
  try {
    payload = context.codec.decode(message.payload);
  } catch (err) {
    return { points, problems: [{ kind: 'invalid_sparkplug', message: `not a Sparkplug B payload (${(err as Error).message})` }] };
  }
  const emit: Emit = { sub, receivedAtMs: message.receivedAtMs, topic, levels, points, problems, rebirth: false };
  const { state } = context;
  const payloadTime = timeOf(emit, payload.timestamp, 'payload', message.receivedAtMs);
  switch (topic.type) {
    case 'NBIRTH': {
      const node = state.node(topic.group, topic.edgeNode, true);
      node.bdSeq = bdSeqOf(payload);
      node.online = true;
      learn(node, payload);
      metricsOf(emit, node, payload, payloadTime);
      stateEvent(emit, '', 'online', payloadTime);
      break;
    }
    case 'DBIRTH': {
      const device = state.device(state.node(topic.group, topic.edgeNode), topic.device, true);
      device.online = true;
      learn(device, payload);
      metricsOf(emit, device, payload, payloadTime);
      stateEvent(emit, topic.device, 'online', payloadTime);
      break;
    }
    case 'NDATA':
      metricsOf(emit, state.node(topic.group, topic.edgeNode), payload, payloadTime);
      break;
    case 'DDATA':
      metricsOf(emit, state.device(state.node(topic.group, topic.edgeNode), topic.device), payload, payloadTime);
      break;
    case 'NDEATH': {
      const node = state.node(topic.group, topic.edgeNode);
      const bdSeq = bdSeqOf(payload);
      // A death whose bdSeq is not the current session's is a late will of an older session.
      if (node.bdSeq !== undefined && bdSeq !== undefined && bdSeq !== node.bdSeq) break;
      // The will message was composed when the node connected: its time is when we learn of the death.
      for (const [id, device] of node.devices) {
        if (device.online) stateEvent(emit, id, 'offline', message.receivedAtMs);
        device.online = false;
      }
      node.online = false;
      stateEvent(emit, '', 'offline', message.receivedAtMs);
      break;
    }
    case 'DDEATH': {
      const device = state.device(state.node(topic.group, topic.edgeNode), topic.device);
      device.online = false;
      stateEvent(emit, topic.device, 'offline', payloadTime);
      break;
    }
  }
  return emit.rebirth ? { points, problems, rebirth: { group: topic.group, edgeNode: topic.edgeNode } } : { points, problems };
}

function bdSeqOf(payload: SparkplugPayload): string | undefined {
  const metric = payload.metrics?.find((m) => m.name === 'bdSeq');
  const value = metric ? scalarValue(metric, metric.datatype) : undefined;
  return value === undefined ? undefined : String(value);
}

/** A Sparkplug timestamp (ms) if present and plausible; otherwise `fallback`, reporting an implausible one. */
function timeOf(emit: Emit, text: string | undefined, what: string, fallback: number): number {
  if (text === undefined) return fallback;
  const result = toEpochMs(text, 'ms');
  if (result.ok) return result.ms;
  emit.problems.push({ kind: 'bad_timestamp', message: `${what} timestamp ${result.message} (is the edge node's clock set?); ${fallback === emit.receivedAtMs ? 'receipt time' : 'the payload time'} used` });
  return fallback;
}

/** Records a birth certificate's aliases and datatypes. */
function learn(scope: SparkplugScope, payload: SparkplugPayload): void {
  for (const metric of payload.metrics ?? []) {
    if (metric.name === undefined) continue;
    if (metric.datatype !== undefined) scope.types.set(metric.name, metric.datatype);
    if (metric.alias !== undefined) scope.aliases.set(metric.alias, { name: metric.name, datatype: metric.datatype });
  }
}

function metricsOf(emit: Emit, scope: SparkplugScope, payload: SparkplugPayload, payloadTime: number): void {
  for (const metric of payload.metrics ?? []) {
    let name = metric.name;
    let datatype = metric.datatype;
    if (name === undefined || name === '') {
      const known = metric.alias === undefined ? undefined : scope.aliases.get(metric.alias);
      if (!known) {
        emit.rebirth = true;
        emit.problems.push({
          kind: 'unknown_alias',
          message: `metric alias ${metric.alias ?? '(none)'} is not defined by a birth certificate seen since the bridge started; ask the edge node for a rebirth (Node Control/Rebirth)`,
        });
        continue;
      }
      name = known.name;
      datatype ??= known.datatype;
    }
    datatype ??= scope.types.get(name);
    if (BOOKKEEPING.test(name)) continue;
    const time = timeOf(emit, metric.timestamp, `metric ${name}`, payloadTime);
    metricPoints(emit, name, metric, datatype, time);
  }
}

/** Writes one metric's point, or its members' points for a Template instance. */
function metricPoints(emit: Emit, name: string, metric: SparkplugMetric, datatype: number | undefined, time: number): void {
  if (metric.isNull) return;
  let value: PointValue | undefined;
  if (datatype === TEMPLATE_TYPE || metric.templateValue !== undefined) {
    const template = metric.templateValue;
    if (!template || template.isDefinition) return;
    for (const member of template.metrics ?? []) {
      if (member.name === undefined) continue;
      const memberTime = timeOf(emit, member.timestamp, `metric ${name}/${member.name}`, time);
      metricPoints(emit, `${name}/${member.name}`, member, member.datatype, memberTime);
    }
    return;
  }
  if (datatype === DATASET_TYPE || metric.datasetValue !== undefined) value = metric.datasetValue ? dataSetValue(metric.datasetValue) : undefined;
  else value = scalarValue(metric, datatype);
  if (value === undefined) {
    const unsupported = datatype !== undefined && datatype !== DATASET_TYPE && !isScalarType(datatype);
    emit.problems.push(
      unsupported
        ? { kind: 'unsupported_type', message: `metric ${name}: ${typeName(datatype)} values are not sent` }
        : { kind: 'missing_value', message: `metric ${name}: no ${typeName(datatype)} value in the payload` },
    );
    return;
  }
  point(emit, name, value, time);
}

function vars(emit: Emit, device: string, name: string): TemplateVars {
  const { topic, levels } = emit;
  return { levels, group: topic.group, edge_node: topic.edgeNode, device, name: name.replaceAll('/', '.') };
}

function baseTags(emit: Emit, device: string, v: TemplateVars): Tags | string {
  const tags: Tags = { group: emit.topic.group, edge_node: emit.topic.edgeNode };
  if (device !== '') tags.device = device;
  return renderTags(emit.sub.tags, v, tags) ?? tags;
}

function point(emit: Emit, name: string, value: PointValue, time: number): void {
  const v = vars(emit, emit.topic.device, name);
  const metric = renderMetricName(emit.sub.metric!, v);
  const tags = baseTags(emit, emit.topic.device, v);
  if (!metric.ok || typeof tags === 'string') {
    emit.problems.push({ kind: 'bad_template', message: `metric ${name}: ${metric.ok ? tags : metric.message}` });
    return;
  }
  emit.points.push(makePoint(metric.text, value, time, tags));
}

/** An `online` / `offline` event for the node (`device` '') or one of its devices. */
function stateEvent(emit: Emit, device: string, value: 'online' | 'offline', time: number): void {
  const v = { ...vars(emit, device, ''), name: '' };
  const metric = renderMetricName(emit.sub.stateMetric!, v);
  const tags = baseTags(emit, device, v);
  if (!metric.ok || typeof tags === 'string') {
    emit.problems.push({ kind: 'bad_template', message: `state_metric: ${metric.ok ? tags : metric.message}` });
    return;
  }
  emit.points.push(makePoint(metric.text, value, time, tags));
}
