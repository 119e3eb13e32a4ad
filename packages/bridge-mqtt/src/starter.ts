/** The `mqtt:` section `fieldbridge init mqtt` writes: a JSON topic, a plain number and Sparkplug B. */
export const MQTT_STARTER = `mqtt:
  url: \${MQTT_URL:-mqtt://127.0.0.1:1883}           # mqtts:// for TLS; ws:// and wss:// work too
  username: \${MQTT_USERNAME:-}
  password: \${MQTT_PASSWORD:-}
  client_id: fieldbridge-1                          # with clean: false, QoS 1 messages wait at the broker while the bridge is away
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
