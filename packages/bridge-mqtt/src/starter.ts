import { randomClientId } from './client-options.js';

/**
 * The `mqtt:` section `fieldbridge init mqtt` writes: a JSON topic, a plain number and Sparkplug B.
 * Its client id is `clientId`, by default drawn afresh for each file written.
 *
 * Why a suffix drawn here rather than `fieldbridge-${HOSTNAME}`: two bridges with one client id
 * at one broker kick each other off, so the id must differ per file and per host with nothing
 * for the user to set. HOSTNAME is a shell variable that bash does not export: a process started
 * by `bash -c`, `env -i` or a systemd service (whose environment holds PATH and LANG) does not
 * have it, and an unset `${HOSTNAME}` reads as empty, which would give every such host the same
 * `fieldbridge-`. Only containers set it. Nor would it tell two files on one host apart (their
 * `source_id`s are the same `mqtt-1` too). A suffix drawn when the file is written is unique to
 * that file and stays the same across its runs, which a persistent session (clean: false) needs;
 * `${MQTT_CLIENT_ID}` overrides it where one file is deployed to several hosts.
 */
export function mqttStarter(clientId: string = randomClientId()): string {
  return `mqtt:
  url: \${MQTT_URL:-mqtt://127.0.0.1:1883}           # mqtts:// for TLS; ws:// and wss:// work too
  username: \${MQTT_USERNAME:-}
  password: \${MQTT_PASSWORD:-}
  # This bridge's name at the broker, made up when this file was written: two clients with one id
  # kick each other off, so a copy of this file run elsewhere needs its own (set MQTT_CLIENT_ID).
  # With clean: false, QoS 1 messages wait at the broker under this id while the bridge is away.
  client_id: \${MQTT_CLIENT_ID:-${clientId}}
  clean: false
  # What your broker carries: npx bridge-mqtt --config this.yaml --scan lists its topics, with
  # entries to paste here.
  subscriptions:
    # plant/line1/press1/temperature  {"reading": {"value": 81.3, "unit": "degC"}, "ts": 1700000000.25}
    - topic: plant/+/+/temperature
      qos: 1
      metric: '{topic.1}.{topic.2}.temperature'
      value: $.reading.value
      timestamp: { path: $.ts, unit: s }
      tags: { line: '{topic.1}', unit: '{json.reading.unit}' }
    # plant/line1/press1/counter  1042
    - topic: plant/+/+/counter
      format: number
      metric: '{topic.1}.{topic.2}.parts'
    # Sparkplug B edge nodes of group plant-a (births, data and deaths).
    - topic: spBv1.0/plant-a/#
      format: sparkplug
      metric: '{edge_node}.{device}.{name}'
      state_metric: '{edge_node}.{device}.state'   # births send online, deaths offline: named like the metrics above
      rebirth: true       # started after an edge node? its data names metrics by aliases its births define: ask for them again
# To try it: mosquitto -p 1883 & npx bridge-mqtt-sim --url mqtt://127.0.0.1:1883
`;
}
