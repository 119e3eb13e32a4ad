import { excerpt, type Point, type PointValue, type Tags } from '@fieldbridge/core/bridge';
import { fillName, makePoint } from './_points.js';
import { seqOf } from './_sparkplug-seq.js';
import { afterDeath, followSeq, learn, rebirthText, type Emit } from './_sparkplug-session.js';
import { dataSetValue, DATASET_TYPE, isScalarType, outOfRange, scalarValue, TEMPLATE_TYPE, typeName } from './_sparkplug-values.js';
import { toEpochMs } from './_values.js';
import type { DecodeProblem, DecodeResult, MqttMessage, TopicRoute } from './decode.js';
import type { MqttTemplate } from './placeholders.js';
import type { SparkplugCodec, SparkplugMetric, SparkplugPayload } from './sparkplug-codec.js';
import type { SparkplugScope, SparkplugState } from './sparkplug-state.js';

/** The Sparkplug B topic namespace. */
export const SPARKPLUG_NAMESPACE = 'spBv1.0';

/** Message types carrying telemetry or state; commands (NCMD/DCMD) and STATE are skipped. */
export const SPARKPLUG_MESSAGE_TYPES = ['NBIRTH', 'NDATA', 'NDEATH', 'DBIRTH', 'DDATA', 'DDEATH'] as const;

/** Template instances nested deeper than this are not flattened (the payload is the peer's to shape). */
export const MAX_TEMPLATE_DEPTH = 16;

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

/** Codec and state for {@link decodeMessage} on format sparkplug. */
export interface SparkplugContext {
  codec: SparkplugCodec;
  state: SparkplugState;
  /** No rebirth is requested even with `rebirth: true` (a dry run leaves the edge nodes alone): the problems say so. */
  noRebirth?: boolean;
}

/** Parses `spBv1.0/<group>/<type>/<edge node>[/<device>]`; undefined when it is not one. */
export function parseSparkplugTopic(levels: readonly string[]): SparkplugTopic | undefined {
  const [ns, group, type, edgeNode, device, ...rest] = levels;
  if (ns !== SPARKPLUG_NAMESPACE || !group || !type || !edgeNode || rest.length > 0) return undefined;
  return { group, type, edgeNode, device: device ?? '' };
}

/** Decodes a Sparkplug B message (see {@link SparkplugState} for what is kept between messages). */
export function decodeSparkplug(route: TopicRoute, message: MqttMessage, context: SparkplugContext): DecodeResult {
  const points: Point[] = [];
  const problems: DecodeProblem[] = [];
  const { levels } = route;
  if (levels[0] === SPARKPLUG_NAMESPACE && levels[1] === 'STATE') return { points, problems };
  const topic = route.sparkplug;
  const quoted = (): string => JSON.stringify(excerpt(message.topic, 200));
  if (!topic) {
    return { points, problems: [{ kind: 'invalid_sparkplug', message: `${quoted()} is not a Sparkplug B topic (spBv1.0/<group>/<type>/<edge node>[/<device>])` }] };
  }
  if (!(SPARKPLUG_MESSAGE_TYPES as readonly string[]).includes(topic.type)) return { points, problems };
  const deviceLevel = topic.type.startsWith('D');
  if (deviceLevel !== (topic.device !== '')) {
    return { points, problems: [{ kind: 'invalid_sparkplug', message: `${topic.type} ${deviceLevel ? 'needs' : 'takes no'} device level in ${quoted()}` }] };
  }
  let payload: SparkplugPayload;
  try {
    payload = context.codec.decode(message.payload);
  } catch (err) {
    return { points, problems: [{ kind: 'invalid_sparkplug', message: `not a Sparkplug B payload (${excerpt((err as Error).message, 120)})` }] };
  }
  const emit: Emit = { route, receivedAtMs: message.receivedAtMs, topic, points, problems, rebirth: false, transient: undefined, noRebirth: context.noRebirth === true };
  const { state } = context;
  const payloadTime = timeOf(emit, payload.timestamp, 'payload', message.receivedAtMs);
  switch (topic.type) {
    case 'NBIRTH': {
      const node = state.node(topic.group, topic.edgeNode, true);
      node.bdSeq = bdSeqOf(payload);
      node.seq = seqOf(payload);
      node.online = true;
      learn(emit, state, node, node, payload);
      metricsOf(emit, node, payload, payloadTime);
      stateEvent(emit, '', 'online', payloadTime);
      break;
    }
    case 'DBIRTH': {
      const node = state.node(topic.group, topic.edgeNode);
      // A device is born of a live edge node: after its NDEATH, its NBIRTH was lost or is yet to come.
      if (node.died) {
        afterDeath(emit, 'NDEATH');
        break;
      }
      followSeq(emit, node, payload);
      const device = state.device(node, topic.device, true);
      device.online = true;
      learn(emit, state, node, device, payload);
      metricsOf(emit, device, payload, payloadTime);
      stateEvent(emit, topic.device, 'online', payloadTime);
      break;
    }
    case 'NDATA': {
      const node = state.node(topic.group, topic.edgeNode);
      if (node.died) afterDeath(emit, 'NDEATH');
      else {
        followSeq(emit, node, payload);
        metricsOf(emit, node, payload, payloadTime);
      }
      break;
    }
    case 'DDATA': {
      const node = state.node(topic.group, topic.edgeNode);
      const device = state.device(node, topic.device);
      // The node's count goes on over a dead device's DATA.
      if (!node.died) followSeq(emit, node, payload);
      if (node.died || device.died) afterDeath(emit, node.died ? 'NDEATH' : 'DDEATH');
      else metricsOf(emit, device, payload, payloadTime);
      break;
    }
    case 'NDEATH': {
      const node = state.node(topic.group, topic.edgeNode);
      const bdSeq = bdSeqOf(payload);
      // A death whose bdSeq is not the current session's is a late will of an older session.
      if (node.bdSeq !== undefined && bdSeq !== undefined && bdSeq !== node.bdSeq) break;
      // The will message was composed when the node connected: its time is when we learn of the death.
      for (const [id, device] of node.devices) {
        if (device.online) stateEvent(emit, id, 'offline', message.receivedAtMs);
        device.online = false;
        device.died = true;
      }
      node.online = false;
      node.died = true;
      stateEvent(emit, '', 'offline', message.receivedAtMs);
      break;
    }
    case 'DDEATH': {
      const node = state.node(topic.group, topic.edgeNode);
      // The node's NDEATH took its devices offline already: nothing of a dead node is read.
      if (node.died) break;
      followSeq(emit, node, payload);
      const device = state.device(node, topic.device);
      device.online = false;
      device.died = true;
      stateEvent(emit, topic.device, 'offline', payloadTime);
      break;
    }
  }
  const result: DecodeResult = { points, problems };
  if (emit.rebirth) result.rebirth = { group: topic.group, edgeNode: topic.edgeNode };
  if (emit.transient) result.transient = emit.transient;
  return result;
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
          message: `metric alias ${excerpt(metric.alias ?? '(none)', 24)} is not defined by a birth certificate seen since the bridge started; ${rebirthText(emit, 'its data is dropped until the edge node publishes its births again: set rebirth: true on this subscription to ask for them')}`,
        });
        continue;
      }
      name = known.name;
      datatype ??= known.datatype;
    }
    datatype ??= scope.types.get(name);
    if (BOOKKEEPING.test(name)) continue;
    const time = timeOf(emit, metric.timestamp, `metric ${excerpt(name, 120)}`, payloadTime);
    // DATA carries the flag seldom (only the alias and value): the birth's holds unless the message says otherwise.
    metricPoints(emit, name, metric, datatype, time, 0, metric.isTransient ?? scope.transient.has(name));
  }
}

/**
 * Writes one metric's point, or its members' points for a Template instance (nested `depth` deep).
 * A `transient` metric (or a member of a transient instance) is held back unless the subscription
 * sends them: Sparkplug B flags with `is_transient` what a host shows but a historian does not
 * keep, and the ingest service is a store.
 */
function metricPoints(emit: Emit, name: string, metric: SparkplugMetric, datatype: number | undefined, time: number, depth: number, transient: boolean): void {
  if (metric.isNull) return;
  let value: PointValue | undefined;
  const label = excerpt(name, 120);
  if (datatype === TEMPLATE_TYPE || metric.templateValue !== undefined) {
    const template = metric.templateValue;
    if (!template || template.isDefinition) return;
    if (depth >= MAX_TEMPLATE_DEPTH) {
      emit.problems.push({ kind: 'unsupported_type', message: `metric ${label}: Template instances nested deeper than ${MAX_TEMPLATE_DEPTH} levels are not sent` });
      return;
    }
    for (const member of template.metrics ?? []) {
      if (member.name === undefined) continue;
      const memberName = `${name}/${member.name}`;
      const memberTime = timeOf(emit, member.timestamp, `metric ${excerpt(memberName, 120)}`, time);
      metricPoints(emit, memberName, member, member.datatype, memberTime, depth + 1, transient || member.isTransient === true);
    }
    return;
  }
  if (transient && !emit.route.sub.sendTransient) {
    if (emit.transient) emit.transient.count += 1;
    else emit.transient = { count: 1, first: label };
    return;
  }
  const dataset = datatype === DATASET_TYPE || metric.datasetValue !== undefined ? metric.datasetValue && dataSetValue(metric.datasetValue) : undefined;
  const outside = dataset?.ok === false ? dataset.message : outOfRange(metric, datatype);
  if (outside !== undefined) {
    emit.problems.push({ kind: 'out_of_range', message: `metric ${label}: ${outside}; not sent` });
    return;
  }
  if (datatype === DATASET_TYPE || metric.datasetValue !== undefined) value = dataset?.ok ? dataset.value : undefined;
  else value = scalarValue(metric, datatype);
  if (value !== undefined) return push(emit, emit.route.sub.metric!, emit.topic.device, name, value, time, `metric ${label}`);
  const unsupported = datatype !== undefined && datatype !== DATASET_TYPE && !isScalarType(datatype);
  emit.problems.push(
    unsupported
      ? { kind: 'unsupported_type', message: `metric ${label}: ${typeName(datatype)} values are not sent` }
      : { kind: 'missing_value', message: `metric ${label}: no ${typeName(datatype)} value in the payload` },
  );
}

/** A point named by `template` and the subscription's tags, over the tags every Sparkplug point has. */
function push(emit: Emit, template: MqttTemplate, device: string, name: string, value: PointValue, time: number, what: string): void {
  const { topic, route } = emit;
  const named = fillName({ metric: template, tags: route.sub.tags }, { levels: route.levels, group: topic.group, edge_node: topic.edgeNode, device, name: name.replaceAll('/', '.') });
  if (!named.ok) {
    emit.problems.push({ kind: 'bad_template', message: `${what}: ${named.message}` });
    return;
  }
  const tags: Tags = { group: topic.group, edge_node: topic.edgeNode };
  if (device !== '') tags.device = device;
  emit.points.push(makePoint(named.metric, value, time, named.tags ? Object.assign(tags, named.tags) : tags));
}

/** An `online` / `offline` event for the node (`device` '') or one of its devices. */
function stateEvent(emit: Emit, device: string, value: 'online' | 'offline', time: number): void {
  push(emit, emit.route.sub.stateMetric!, device, '', value, time, 'state_metric');
}
