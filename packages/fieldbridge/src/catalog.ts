/** A bridge the `fieldbridge` command knows: its section key and the package that provides it. */
export interface CatalogEntry {
  /** The YAML section key and the bridge's name (`modbus`). */
  name: string;
  /** The npm package (`@fieldbridge/bridge-modbus`); its root exports `<name>Bridge`. */
  package: string;
  /** One line on what it reads. */
  summary: string;
}

/** Every bridge of the fieldbridge project, in the order `fieldbridge bridges` lists them. */
export const CATALOG: readonly CatalogEntry[] = [
  { name: 'modbus', package: '@fieldbridge/bridge-modbus', summary: 'Modbus TCP, RTU and RTU over TCP: polled registers and coils' },
  { name: 'mqtt', package: '@fieldbridge/bridge-mqtt', summary: 'MQTT 3.1.1 and 5 topics (JSON, numbers, text) and Sparkplug B' },
  { name: 'opcua', package: '@fieldbridge/bridge-opcua', summary: 'OPC-UA subscriptions to variables and events' },
  { name: 'can', package: '@fieldbridge/bridge-can', summary: 'SocketCAN and CAN logs (candump, Vector ASC and BLF, PEAK TRC, ASAM MDF4) decoded with DBC files' },
  { name: 'mavlink', package: '@fieldbridge/bridge-mavlink', summary: 'MAVLink telemetry over UDP, TCP, serial or a tlog' },
  { name: 'ble', package: '@fieldbridge/bridge-ble', summary: 'BLE advertisements (BTHome, Ruuvi, Xiaomi, iBeacon, Eddystone) and GATT' },
];

/** The catalog entry of bridge `name`, if the project has one. */
export function catalogEntry(name: string, catalog: readonly CatalogEntry[] = CATALOG): CatalogEntry | undefined {
  return catalog.find((e) => e.name === name);
}
