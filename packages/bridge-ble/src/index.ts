// The public API of @fieldbridge/bridge-ble: the bridge on the kit (definition, section schema,
// source, pure point decoding) and the protocol layer under it. Decoding is pure (bytes in,
// measurements or points and problems out); noble loads only in loadNoble(), when a bridge starts.
// Nothing here imports the command line (cli.ts, sim-cli.ts).

// The bridge
export { bleBridge, defineBleBridge, describeBle } from './bridge.js';
export {
  bleConfigSchema,
  bleDeviceSchema,
  characteristicSchema,
  customDecoderSchema,
  BLE_DECODERS,
  DEFAULT_METRIC,
  type BleConfig,
  type BleDeviceConfig,
  type BleCustomConfig,
  type BleCharacteristicConfig,
  type BleSliceFieldConfig,
  type BleDecoder,
} from './config.js';
export { checkBle } from './check.js';
export {
  resolveBle,
  resolveDevice,
  BLE_DEFAULTS,
  METRIC_PLACEHOLDERS,
  type DeviceMatch,
  type MetricVars,
  type ResolvedBle,
  type ResolvedCharacteristic,
  type ResolvedDevice,
  type ResolvedSource,
} from './resolve.js';
export { createMatcher, type DeviceMatcher } from './match.js';
export { beaconIdentity, beaconIdOf, beaconTags, normalizeEddystoneNamespace, normalizeIbeaconUuid, type BeaconId, type BeaconIdentity } from './beacon-id.js';
export {
  decodeAdvertPoints,
  decodeReadingPoints,
  measurementsToPoints,
  PointShapes,
  type AdvertPoints,
  type BleDecodeProblem,
  type BlePoints,
  type PointSource,
  type ReadingInput,
} from './decode.js';
export { createBleSource, type BleSource, type BleSourceOptions, type BleDeviceStatus } from './source.js';

// Adverts and their record file
export { ADVERT_LIMITS, companyIdOf, normalizeAddress, normalizeUuid, serviceDataOf, type Advert, type AddressType, type ServiceData } from './advert/advert.js';
export { advertToRecord, formatRecordLine, parseRecordLine, type AdvertRecord, type RecordParse } from './advert/record.js';
export { parseAdStructures, type AdFields, type AdParse } from './advert/ad-structures.js';
export { DECODE_PROBLEM_KINDS, type DecodeProblem, type DecodeProblemKind, type DecodeResult, type Measurement, type MeasurementValue } from './measurement.js';

// Advert decoders
export { createSurvey, type HeardDevice, type Survey, type SurveyBounds, type SurveyResult } from './survey.js';
export { formatScan, type ScanSubject } from './scan-format.js';
export { ADVERT_DECODERS, decodeAdvert, detectFormats, type AdvertDecodeResult, type AdvertDecoderName, type DecodeAdvertOptions } from './decode/decode-advert.js';
export { decodeBthome, type BthomeInfo, type BthomeOptions, type BthomeResult } from './decode/bthome.js';
export { BTHOME_UUID, decryptBthome, encryptBthome, parseBindKey, type BthomeDecryption } from './decode/bthome-crypto.js';
export { BTHOME_OBJECTS, BUTTON_EVENTS, DIMMER_EVENTS, type BthomeObject, type BthomeObjectKind } from './decode/bthome-objects.js';
export { BthomeState, DEFAULT_BTHOME_DEVICES, type BthomeDeviceMemory } from './decode/bthome-state.js';
export type { CounterMemory, CounterRestart, CounterRestartCandidate } from './decode/bthome-counter.js';
export { decodeRuuvi, RUUVI_COMPANY_ID } from './decode/ruuvi.js';
export { ATC1441_ENCRYPTED_LENGTH, ATC1441_LENGTH, decodeAtc1441, decodePvvx, PVVX_ENCRYPTED_LENGTH, PVVX_LENGTH, XIAOMI_CUSTOM_UUID } from './decode/xiaomi.js';
export type { XiaomiCryptoOptions, XiaomiResult } from './decode/xiaomi-encrypted.js';
export { APPLE_COMPANY_ID, decodeIbeacon, IBEACON_LENGTH } from './decode/ibeacon.js';
export { decodeEddystone, EDDYSTONE_EXPANSIONS, EDDYSTONE_SCHEMES, EDDYSTONE_UUID } from './decode/eddystone.js';
export { compileCustomDecoder, SLICE_TYPES, type CustomDecoder, type CustomDecoderSpec, type CustomSource, type SliceField, type SliceType } from './decode/custom.js';

// GATT characteristics and client
export { BODY_SENSOR_LOCATIONS, decodeCharacteristic, GATT_CHARACTERISTICS, type CharacteristicDecoder } from './gatt/characteristics.js';
export { decodeHeartRate } from './gatt/heart-rate.js';
export { decodeTemperatureMeasurement, TEMPERATURE_TYPES } from './gatt/health-thermometer.js';
export { ieeeFloat, ieeeSfloat } from './gatt/ieee11073.js';
export { createGattClient, type GattClient, type GattClientOptions } from './gatt/gatt-client.js';
export type { GattCharacteristicSpec, GattDeviceState, GattDeviceStatus, GattEvent, GattReading, GattTarget } from './gatt/gatt-types.js';

// The adapter (noble)
export { loadNoble, type LoadedNoble, type LoadNobleOptions } from './adapter/load-noble.js';
export { createScanner, type Scanner, type ScannerOptions, type ScannerStatus, type ScanProblemKind } from './adapter/scanner.js';
export { releaseBindings } from './adapter/noble-quirks.js';
export { explainAdapterError, stateError } from './adapter/adapter-errors.js';
export { applyScanMode, makeScanPassive } from './adapter/scan-mode.js';
export { peripheralToAdvert, type PeripheralAdvert } from './adapter/peripheral-advert.js';
export type { Noble, NobleAdvertisement, NobleBindings, NobleCharacteristic, NoblePeripheral, NobleService, NobleState } from './adapter/noble-types.js';

// Record and replay
export { createRecordWriter, openRecordWriter, type RecordWriter, type RecordWriterOptions } from './record/record-writer.js';
export { MAX_RECORD_LINE_BYTES, readRecords, type RecordEntry } from './record/record-reader.js';
export { replayRecords, type ReplayOptions, type ReplayResult } from './record/replay.js';

// The simulated adapter and the demo fleet
export { REMOTE_USER_TERMINATED, SimulatedBindings, type SimulatedBindingsOptions } from './sim/simulated-bindings.js';
export type { SimulatedAdvertisement, SimulatedCharacteristic, SimulatedDevice, SimulatedService } from './sim/sim-device.js';
export { createDemoFleet, DEMO_BIND_KEY, DEMO_DEVICES } from './sim/demo-fleet.js';
export { recordDemoFleet, type DemoRecordingOptions } from './sim/demo-recording.js';
export { runSimulatedRadio, type SimulatedRadioOptions } from './sim/radio.js';
export { startLiveDemo, type LiveDemo, type LiveDemoOptions } from './sim/live-demo.js';
export { encodeAtc1441, encodeBthome, encodeHeartRate, encodeIbeacon, encodePvvx, encodeRuuvi, type RuuviValues, type XiaomiValues } from './sim/encoders.js';

export type { Timers } from './_timers.js';
export { BleBridgeError, isBleBridgeError, type BleBridgeErrorCode } from './errors.js';
