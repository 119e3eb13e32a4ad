/** The `ble:` section `fieldbridge init ble` writes: sensors by address, by name, and a fleet by name prefix. */
export const BLE_STARTER = `ble:
  # The adapter: hci0 by default (NOBLE_HCI_DEVICE_ID picks another). On Linux the command needs
  # CAP_NET_RAW (sudo setcap cap_net_raw+eip "$(readlink -f "$(command -v node)")").
  # No radio at hand? Replace adapter with  replay: { file: "-", pace: recorded }  and pipe in
  # npx bridge-ble-sim: adverts it makes up, in the format --record writes ("-" is standard
  # input, quoted: a bare - is YAML's list item).
  adapter: { when_missing: wait }
  max_rate_hz: 1                                    # per series, for every device: adverts repeat many times a second
  # Your sensors: npx bridge-ble --config this.yaml --scan lists the devices on the air, with
  # entries to paste here.
  devices:
    # A BTHome v2 sensor (Shelly BLU, ATC/PVVX firmware set to BTHome): decoded by its format.
    - name: kitchen
      address: a4:c1:38:00:00:01
      decoder: bthome
    # A RuuviTag, matched by the name it advertises.
    - name: freezer
      local_name: Ruuvi 1a2b
      decoder: ruuvi
    # Every Xiaomi thermometer running ATC firmware: one channel per device heard.
    - name: atc
      local_name_prefix: ATC_
      decoder: atc
      max_devices: 50
`;
