import { excerpt, jsonNestsDeeperThan, type Point } from '@fieldbridge/core/bridge';
import { fillName, makePoint } from './_points.js';
import { readValue, toEpochMs, utf8Text } from './_values.js';
import type { DecodeProblem, DecodeResult, MqttMessage, TopicRoute } from './decode.js';
import { evaluateJsonPath, missingHint } from './json-path.js';
import { parsePayloadJson } from './json-payload.js';

/**
 * Deepest nesting of arrays and objects a JSON payload may have; deeper payloads are refused
 * before parsing (`invalid_json`), so nothing recursive ever meets them.
 */
export const MAX_JSON_DEPTH = 64;

/** Format json: values by path, each its own point, with the payload's timestamp when mapped. */
export function decodeJson(route: TopicRoute, message: MqttMessage): DecodeResult {
  const { sub, levels } = route;
  if (jsonNestsDeeperThan(message.payload, MAX_JSON_DEPTH)) {
    return { points: [], problems: [{ kind: 'invalid_json', message: `the payload nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels` }] };
  }
  const body = utf8Text(message.payload);
  if (body === undefined) return { points: [], problems: [{ kind: 'invalid_json', message: 'the payload is not UTF-8 text, so not JSON' }] };
  let json: unknown;
  try {
    json = parsePayloadJson(body);
  } catch (err) {
    return { points: [], problems: [{ kind: 'invalid_json', message: `the payload is not valid JSON (${excerpt((err as Error).message, 120)})` }] };
  }
  const problems: DecodeProblem[] = [];
  let timestamp = message.receivedAtMs;
  if (sub.timestamp) {
    const found = evaluateJsonPath(sub.timestamp.path, json);
    const hint = found.found ? '' : missingHint(sub.timestamp.path, json);
    const converted = found.found ? toEpochMs(found.value, sub.timestamp.unit, sub.timestamp.timeZone) : { ok: false as const, message: `${found.missing} is missing${hint ? ` (${hint})` : ''}` };
    if (converted.ok) timestamp = converted.ms;
    else problems.push({ kind: 'bad_timestamp', message: `timestamp ${sub.timestamp.path.source}: ${converted.message}; receipt time used`, ...('zoneless' in converted ? { perSubscription: 'time_zone' as const } : {}) });
  }
  const points: Point[] = [];
  sub.values.forEach((value, i) => {
    const label = value.field === undefined ? value.path.source : `field ${value.field} (${value.path.source})`;
    const found = evaluateJsonPath(value.path, json);
    // Devices of several kinds share a filter: what one of them never sends is not a problem.
    if (value.optional && (!found.found || found.value === null)) return;
    if (!found.found) {
      const where = found.missing === value.path.source ? 'not in this payload' : `${found.missing} is missing`;
      const hint = missingHint(value.path, json);
      problems.push({ kind: 'missing_value', message: `${label}: ${where}${hint ? ` (${hint})` : ''}` });
      return;
    }
    const read = readValue(found.value, value.type, value.words);
    if (!read.ok) {
      problems.push({ kind: read.kind, message: `${label}: ${read.message}` });
      return;
    }
    const named = route.names[i] ?? fillName(value.naming, { levels, json, ...(value.field === undefined ? {} : { field: value.field }) });
    if (!named.ok) {
      problems.push({ kind: 'bad_template', message: value.field === undefined ? named.message : `field ${value.field}: ${named.message}` });
      return;
    }
    points.push(makePoint(named.metric, read.value, timestamp, named.tags));
  });
  return { points, problems };
}
