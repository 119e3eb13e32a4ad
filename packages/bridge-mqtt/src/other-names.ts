/**
 * What Telegraf's mqtt_consumer, ThingsBoard IoT Gateway's MQTT connector and Home Assistant's
 * MQTT entities call keys of the mqtt section, by ours (snake_case, as the loader compares them): a
 * mapping written after theirs gets "did you mean topic?" for `topicFilter`, where `topic` is allowed.
 */
export const MQTT_OTHER_NAMES: Readonly<Record<string, string>> = {
  // Telegraf mqtt_consumer
  servers: 'url',
  topics: 'subscriptions',
  data_format: 'format',
  json_query: 'value',
  json_time_key: 'timestamp',
  json_time_format: 'timestamp',
  name_override: 'metric',
  measurement: 'metric',
  tag_keys: 'tags',
  connection_timeout: 'connect_timeout_ms',
  keep_alive: 'keepalive_s',
  tls_ca: 'tls',
  tls_cert: 'tls',
  tls_key: 'tls',
  insecure_skip_verify: 'tls',
  // ThingsBoard IoT Gateway
  broker: 'url',
  host: 'url',
  mapping: 'subscriptions',
  data_mapping: 'subscriptions',
  topic_filter: 'topic',
  subscription_qos: 'qos',
  timeseries: 'fields',
  key: 'metric',
  // Home Assistant
  state_topic: 'topic',
  value_template: 'value',
  // Elsewhere
  filter: 'topic',
  json_path: 'value',
  path: 'value',
  mqtt_version: 'protocol_version',
  version: 'protocol_version',
};
