/**
 * What Telegraf's modbus input, ThingsBoard's Modbus connector and Neuron call keys of the modbus
 * section, by ours: a mapping written after theirs gets "did you mean unit_id?" for `slave_id`.
 */
export const MODBUS_OTHER_NAMES: Readonly<Record<string, string>> = {
  slave_id: 'unit_id',
  slave: 'unit_id',
  slave_address: 'unit_id',
  station: 'unit_id',
  data_type: 'type',
  register_type: 'table',
  function_code: 'table',
  multiplier: 'scale',
  factor: 'scale',
};
