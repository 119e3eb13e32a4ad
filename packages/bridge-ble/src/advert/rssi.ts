import type { Measurement } from '../measurement.js';
import type { Advert } from './advert.js';

/**
 * What a controller reports for an advert whose signal strength it could not measure (the
 * Bluetooth Core Specification's LE Advertising Report: RSSI 127, "not available").
 */
export const RSSI_NOT_AVAILABLE = 127;

/** The advert's RSSI as a measurement, or none when the controller had none to give. */
export function rssiMeasurements(advert: Pick<Advert, 'rssi'>): Measurement[] {
  return advert.rssi === RSSI_NOT_AVAILABLE ? [] : [{ measurement: 'rssi', value: advert.rssi, unit: 'dBm' }];
}
