// Thermometers on the pvvx or ATC1441 firmware with its "Encrypted beacon" option set: their
// service data 181a is encrypted with a bind key. Through noble on the simulated adapter; the
// adverts are those generate.py encrypted with Python's AES-CCM (test/fixtures/adverts/pvvx-encrypted*).
import { readFileSync } from 'node:fs';
import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import type { Advert } from '../src/advert/advert.js';
import { suggestEntries } from '../src/scan-entries.js';
import { createSurvey } from '../src/survey.js';
import { handled, sourceUnderTest, T0, thermometer } from './helpers/source.js';

const track = trackCleanups();
const PVVX = 'a4:c1:38:ab:cd:ef';
const ATC = 'a4:c1:38:12:34:56';
/** pvvx custom format, encrypted: counter 42, 6 encrypted bytes, MIC. */
const PVVX_ENCRYPTED = Buffer.from('2abbd2b4c4cae59921c461', 'hex');
/** ATC1441 format, encrypted: counter 17, 3 encrypted bytes, MIC. */
const ATC_ENCRYPTED = Buffer.from('1180f3deff2cf764', 'hex');
/** The key generate.py encrypted them with. */
const KEY = 'b2d46f0cd168c18b247c0c79e9ad5b8d';

/** The service data of the adverts of a fixture, in file order. */
function fixtureData(name: string): Buffer[] {
  const text = readFileSync(new URL(`./fixtures/adverts/${name}/adverts.ndjson`, import.meta.url), 'utf8');
  return text.split('\n').filter((l) => l.length > 0).map((l) => Buffer.from((JSON.parse(l) as { service_data: { data: string }[] }).service_data[0]!.data, 'hex'));
}
/** pvvx-encrypted-key: [0] counter 42 (21.37 °C), [2] counter 43 (-5.25 °C). */
const PVVX_SEQUENCE = fixtureData('pvvx-encrypted-key');

describe('a thermometer whose firmware encrypts its adverts', () => {
  it('is said once per device as encrypted, with what to change, counted for every advert; nothing thrown, the others read', async () => {
    const pvvx = thermometer(PVVX, 'ATC_ABCDEF');
    pvvx.raw = PVVX_ENCRYPTED;
    const atc = thermometer(ATC, 'ATC_123456');
    atc.raw = ATC_ENCRYPTED;
    const plain = thermometer('a4:c1:38:77:77:77');
    const s = sourceUnderTest(
      { devices: [{ name: 'office', address: PVVX, decoder: 'pvvx' }, { name: 'hall', address: ATC, decoder: 'atc' }, { name: 'cellar', address: 'a4:c1:38:77:77:77', decoder: 'atc' }] },
      [pvvx, atc, plain],
    );
    track.defer(() => s.source.stop());
    const { t, sim, source } = s;
    await source.start();
    for (let i = 0; i < 3; i++) {
      sim.advertise();
      await handled();
    }
    const reports = t.problems.filter((p) => p.kind === 'report' && p.logged);
    expect(reports.map((p) => p.key)).toEqual(['ble.office.encrypted', 'ble.hall.encrypted']);
    expect(reports[0]!.message).toBe(
      `office (${PVVX}) pvvx: service data 181a of 11 bytes is the pvvx custom format encrypted with a bind key (the firmware's "Encrypted beacon" option): set bind_key for this device (the 32 hex digits set in the firmware's settings, TelinkMiFlasher), or turn that option off`,
    );
    expect(reports[1]!.message).toMatch(/^hall \(a4:c1:38:12:34:56\) atc: service data 181a of 8 bytes is the ATC1441 format encrypted with a bind key/);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'office', kind: 'encrypted' })).toBe(3);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'hall', kind: 'encrypted' })).toBe(3);
    expect(t.points.filter((p) => p.tags?.device !== 'cellar')).toEqual([]);
    expect(t.points.filter((p) => p.metric === 'cellar.temperature')).toHaveLength(1);
  });
});

describe('a thermometer whose firmware encrypts its adverts, mapped with its bind_key', () => {
  /** The source with an encrypted pvvx and an encrypted ATC thermometer mapped with `key`. */
  async function started(key: string) {
    const pvvx = thermometer(PVVX, 'ATC_ABCDEF');
    pvvx.raw = PVVX_SEQUENCE[0]!;
    const atc = thermometer(ATC, 'ATC_123456');
    atc.raw = ATC_ENCRYPTED;
    const s = sourceUnderTest({ devices: [{ name: 'office', address: PVVX, decoder: 'pvvx', bind_key: key }, { name: 'hall', address: ATC, decoder: 'atc', bind_key: key }] }, [pvvx, atc]);
    track.defer(() => s.source.stop());
    await s.source.start();
    const send = async (data: Buffer): Promise<void> => {
      pvvx.raw = data;
      s.sim.advertise();
      await handled();
    };
    return { ...s, send };
  }
  const values = (points: { metric: string; value: unknown }[]) => points.map((p) => [p.metric, p.value]);

  it('gives their points, the values the firmware encrypted; a repeat is dropped as a duplicate', async () => {
    const { t, send } = await started(KEY);
    await send(PVVX_SEQUENCE[0]!);
    expect(values(t.points)).toEqual([
      ['office.temperature', 21.37], ['office.humidity', 48.21], ['office.battery', 99], ['office.counter', 42], ['office.flags', 5],
      ['hall.temperature', 23.5], ['hall.humidity', 45], ['hall.battery', 87], ['hall.counter', 17],
    ]);
    expect(t.points[0]!.tags).toEqual({ device: 'office', address: PVVX, unit: '°C' });
    await send(PVVX_SEQUENCE[0]!);
    expect(t.points).toHaveLength(9);
    expect(await t.metric('fieldbridge_ble_duplicates_total', {})).toBe(2);
    await send(PVVX_SEQUENCE[2]!);
    expect(values(t.points.slice(9))).toEqual([['office.temperature', -5.25], ['office.humidity', 99.99], ['office.battery', 98], ['office.counter', 43], ['office.flags', 0x18]]);
    expect(t.problems).toEqual([]);
  });

  it('refuses an older advert replayed, as BTHome does: replayed_counter, counted each time, said once', async () => {
    const { t, send } = await started(KEY);
    await send(PVVX_SEQUENCE[0]!);
    await send(PVVX_SEQUENCE[2]!);
    // 10 office points now: the two adverts accepted; what follows gives none.
    for (let i = 0; i < 3; i++) {
      await send(PVVX_SEQUENCE[0]!);
      await send(PVVX_SEQUENCE[2]!);
    }
    expect(t.points.filter((p) => p.tags?.device === 'office')).toHaveLength(10);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'office', kind: 'replayed_counter' })).toBe(3);
    const reports = t.problems.filter((p) => p.kind === 'report' && p.logged);
    expect(reports.map((p) => [p.key, p.message])).toEqual([
      ['ble.office.replayed_counter', `office (${PVVX}) pvvx: encryption counter 42 is lower than the last accepted 43: a replayed or stale advert, or the sensor's counter restarted (a battery change?): if its counters keep rising, with none above 43 meanwhile, for 5m more, they become the new baseline (counter_restart_after_s)`],
    ]);
  });

  it('takes a sensor whose one-byte counter started over back after counter_restart_after_s, with a warning naming its decoder', async () => {
    const restart = fixtureData('pvvx-counter-restart');
    const { t, send, setNow } = await started(KEY);
    setNow(T0);
    await send(restart[0]!);
    for (let m = 1; m <= 3; m++) {
      setNow(T0 + m * 2.5 * 60_000);
      await send(restart[m]!);
    }
    const office = () => t.points.filter((p) => p.tags?.device === 'office').map((p) => [p.metric, p.value]);
    expect(office().filter(([m]) => m === 'office.counter')).toEqual([['office.counter', 100], ['office.counter', 2]]);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'office', kind: 'replayed_counter' })).toBe(2);
    const warning = t.logs.messages('warn').find((m) => m.includes('the encryption counter restarted'));
    expect(warning).toBe(`office (${PVVX}) pvvx: the encryption counter restarted (battery change?): counter 2 is the new baseline; the counters rose from 0 for 5m below the last accepted 100, with none above it (2 adverts refused meanwhile as replayed_counter)`);
  });

  it('with a wrong key says once per device to check bind_key, counts every advert, and never logs the key', async () => {
    const wrong = '814aac74c4f17b6c1581e1ab87816b99';
    const { t, send } = await started(wrong);
    await send(PVVX_SEQUENCE[0]!);
    await send(PVVX_SEQUENCE[2]!);
    await send(PVVX_SEQUENCE[4]!);
    expect(t.points).toEqual([]);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'office', kind: 'decrypt_failed' })).toBe(3);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'hall', kind: 'decrypt_failed' })).toBe(3);
    const reports = t.problems.filter((p) => p.kind === 'report' && p.logged);
    expect(reports.map((p) => p.key)).toEqual(['ble.office.decrypt_failed', 'ble.hall.decrypt_failed']);
    expect(reports[0]!.message).toBe(`office (${PVVX}) pvvx: the advert did not authenticate with the device's bind key (Unsupported state or unable to authenticate data); check bind_key for this device (the key set in the firmware's settings, TelinkMiFlasher)`);
    const logged = t.logs.lines().map((l) => JSON.stringify(l)).join('\n');
    expect(logged).toContain('check bind_key');
    expect(logged).not.toContain(wrong);
  });
});

describe('--scan, hearing a thermometer whose firmware encrypts its adverts', () => {
  it('names its format and suggests its bind_key, as for an encrypted BTHome device', () => {
    const survey = createSurvey();
    const advert = (address: string, data: Buffer, t: number): Advert => ({ t, address, addressType: 'public', rssi: -60, serviceData: [{ uuid: '181a', data }] });
    survey.advert(advert(PVVX, PVVX_ENCRYPTED, T0));
    survey.advert(advert(ATC, ATC_ENCRYPTED, T0 + 1));
    const { devices } = survey.result();
    expect(devices.map((d) => [d.address, d.formats, d.encrypted])).toEqual([[ATC, ['atc'], true], [PVVX, ['pvvx'], true]]);
    const lines = suggestEntries(devices).map((e) => e.line);
    expect(lines).toEqual([
      `  - { name: atc_123456, address: ${ATC}, decoder: atc }  # encrypted: add bind_key (the device's key)`,
      `  - { name: pvvx_abcdef, address: ${PVVX}, decoder: pvvx }  # encrypted: add bind_key (the device's key)`,
    ]);
  });
});
