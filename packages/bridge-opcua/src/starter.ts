/** The `opcua:` section `fieldbridge init opcua` writes: an endpoint, security, variables, a folder and alarms. */
export const OPCUA_STARTER = `opcua:
  # As written it reads bridge-opcua-sim (npx bridge-opcua-sim --port 4840).
  endpoint: opc.tcp://\${OPCUA_HOST:-127.0.0.1}:\${OPCUA_PORT:-4840}
  security: { mode: SignAndEncrypt }               # the strongest current policy the server offers
  auth: { username: operator, password: '\${OPCUA_PASSWORD:-operator}' }   # or leave auth out: anonymous
  trust: tofu                                      # trust the server's first certificate, refuse a changed one
  publishing_interval_ms: 1s
  # Names made from browse paths with letters, digits, _ - . only: "Motor Speed" gives Motor_Speed.
  metric_names: normalized
  nodes:
    # List what a server has: npx bridge-opcua --config this.yaml --browse --emit-mapping
    # nsu= (namespace URI) survives the server registering its namespaces in another order.
    - { metric: boiler.temperature, node_id: 'nsu=urn:fieldbridge:opcua-sim;s=Boiler.Temperature', deadband: 0.5, unit: degC }
    - { metric: 'boiler.{name}', browse_path: Boiler/Pressure, unit: bar }
  folders:
    # Every variable below Line1, named from its browse path: line1.Motor1.Speed, ...
    - { metric: 'line1.{path}', browse_path: Line1, max_depth: 2 }
  events:
    # Alarms raised at severity 100 and above, and their return to normal: ActiveState true, then false.
    - { metric: plant.alarms, fields: [EventType, SourceName, Message, Severity, ActiveState], where: { min_severity: 100 } }
`;
