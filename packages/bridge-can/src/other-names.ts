/**
 * What python-can, cantools, SavvyCAN and Telegraf call keys of the can section, by ours: a
 * mapping written after theirs gets "did you mean interface?" for python-can's `channel`.
 */
export const CAN_OTHER_NAMES: Readonly<Record<string, string>> = {
  // python-can's bus settings (`can.Bus(channel='can0', bustype='socketcan', can_filters=[...])`).
  channel: 'interface',
  bustype: 'interface',
  bus_type: 'interface',
  can_filters: 'filters',
  // A log where other tools take a file name.
  file: 'interface',
  filename: 'interface',
  log: 'interface',
  log_file: 'interface',
  logfile: 'interface',
  input: 'interface',
  // cantools' `load_file`/`database`, SavvyCAN's and Telegraf's DBC settings.
  database: 'dbc',
  db: 'dbc',
  dbc_file: 'dbc',
  dbc_files: 'dbc',
  dbc_path: 'dbc',
  databases: 'dbc',
  // cantools' `decode_choices`: value-table text.
  decode_choices: 'value_text',
  choices: 'value_text',
  value_tables: 'value_text',
  // Telegraf's `name_override` and the usual words for the metric name.
  name_override: 'metric',
  metric_name: 'metric',
  name_template: 'metric',
  measurement: 'metric',
};
