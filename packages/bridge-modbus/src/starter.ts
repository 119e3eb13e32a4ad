/** The `modbus:` section `fieldbridge init modbus` writes: one device, one point of each kind. */
export const MODBUS_STARTER = `modbus:
  devices:
    - name: plc1                                   # {device} in metric names
      # tcp://host:502, rtu:///dev/ttyUSB0?baud=19200&parity=even, or rtu+tcp://gateway:4001.
      # As written it reads bridge-modbus-sim (npx bridge-modbus-sim --port 5020).
      connection: tcp://\${MODBUS_HOST:-127.0.0.1}:\${MODBUS_PORT:-5020}
      unit_id: 1                                   # not sure? npx bridge-modbus --config this.yaml --scan-units
      poll_ms: 1000
      byte_order: ABCD                             # not sure? npx bridge-modbus --config this.yaml --probe holding:2+4
      points:
        # Addresses are 0-based register offsets (40003 in a manual is holding address 2).
        - { metric: '{device}.tank.level', table: holding, address: 0, type: uint16, scale: 0.1, unit: '%' }
        - { metric: '{device}.flow', table: holding, address: 2, type: float32, unit: m3/h, deadband: 0.05 }
        - { metric: '{device}.vibration', table: input, address: 0, type: uint16, scale: 0.01, unit: mm/s }
        - { metric: '{device}.pump.on', table: coil, address: 0 }
        - { metric: '{device}.door.open', table: discrete, address: 0 }
`;
