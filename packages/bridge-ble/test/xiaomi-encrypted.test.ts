// Thermometers on the pvvx or ATC1441 firmware with its "Encrypted beacon" option set: their
// service data 181a is encrypted with a bind key, in formats the bridge does not decrypt. Through
// noble on the simulated adapter; the adverts are those generate.py encrypted with Python's
// AES-CCM (test/fixtures/adverts/pvvx-encrypted).
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
      `office (${PVVX}) pvvx: service data 181a of 11 bytes is the pvvx custom format encrypted with a bind key (the firmware's "Encrypted beacon" option), which the bridge does not decrypt: turn that option off in the firmware's settings (TelinkMiFlasher), or set its advertising type to BTHome and map it with decoder bthome and its bind_key`,
    );
    expect(reports[1]!.message).toMatch(/^hall \(a4:c1:38:12:34:56\) atc: service data 181a of 8 bytes is the ATC1441 format encrypted with a bind key/);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'office', kind: 'encrypted' })).toBe(3);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'hall', kind: 'encrypted' })).toBe(3);
    expect(t.points.filter((p) => p.tags?.device !== 'cellar')).toEqual([]);
    expect(t.points.filter((p) => p.metric === 'cellar.temperature')).toHaveLength(1);
  });
});

describe('--scan, hearing a thermometer whose firmware encrypts its adverts', () => {
  it('names its format and says that the bridge needs the encryption off, not a bind_key on that entry', () => {
    const survey = createSurvey();
    const advert = (address: string, data: Buffer, t: number): Advert => ({ t, address, addressType: 'public', rssi: -60, serviceData: [{ uuid: '181a', data }] });
    survey.advert(advert(PVVX, PVVX_ENCRYPTED, T0));
    survey.advert(advert(ATC, ATC_ENCRYPTED, T0 + 1));
    const { devices } = survey.result();
    expect(devices.map((d) => [d.address, d.formats, d.encrypted])).toEqual([[ATC, ['atc'], true], [PVVX, ['pvvx'], true]]);
    const lines = suggestEntries(devices).map((e) => e.line);
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`address: ${ATC}, decoder: atc \\}  # encrypted by the firmware`)),
      expect.stringMatching(new RegExp(`address: ${PVVX}, decoder: pvvx \\}  # encrypted by the firmware \\("Encrypted beacon"\\), which the bridge does not decrypt: turn it off, or switch the firmware to BTHome and use decoder bthome with bind_key$`)),
    ]);
  });
});
