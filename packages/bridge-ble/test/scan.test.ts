import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMapping } from '@fieldbridge/core';
import { createTestContext, runBridgeCommand, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadNoble } from '../src/adapter/load-noble.js';
import { bleBridge, defineBleBridge } from '../src/bridge.js';
import { formatScan } from '../src/scan-format.js';
import { createDemoFleet, DEMO_BIND_KEY, DEMO_DEVICES } from '../src/sim/demo-fleet.js';
import { encodeAtc1441, encodeBthome, encodeRuuvi } from '../src/sim/encoders.js';
import { SimulatedBindings } from '../src/sim/simulated-bindings.js';
import { createBleSource } from '../src/source.js';
import { createSurvey } from '../src/survey.js';

// `bridge-ble --scan`: what is on the air, before the mapping names a device. The recording and
// the simulated adapter play the demo fleet (src/sim/demo-fleet.ts), made with the encoders the
// decoder tests check against published examples.
const track = trackCleanups();
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const recording = fileURLToPath(new URL('../../../examples/ble/sensors.ndjson', import.meta.url));

async function mapping(body: string): Promise<string> {
  const file = join(await track.tempDir('ble-scan-'), 'map.yaml');
  await writeFile(file, body);
  return file;
}

/** The `devices:` block of a scan's output, as the YAML a user pastes. */
const pasteBlock = (out: string): string => out.slice(out.indexOf('\ndevices:\n') + 1);

describe('bridge-ble --scan', () => {
  it('lists a recording\'s devices from a mapping without any; the entries it prints, pasted, run', async () => {
    const bare = `source_id: scan-test\nsink: { url: stdout }\nble:\n  replay: { file: ${recording}, pace: fast }\n`;
    const file = await mapping(bare);
    const refused = await runBridgeCommand(bleBridge, ['--config', file, '--check']);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(`${file}:4:3 ble.devices: no devices: list the sensors to read (bridge-ble --scan lists the devices on the air`);

    const { code, out, err } = await runBridgeCommand(bleBridge, ['--config', file, '--scan']);
    expect(code, err).toBe(0);
    expect(out).toMatch(new RegExp(`^7 devices heard in the record file ${recording}, \\d+ adverts:\n`));
    expect(out).toMatch(/^a4:c1:38:12:34:56 +public +ATC_123456 +\d+ +-?\d+(\.\.-?\d+)? +atc +-$/m);
    expect(out).toMatch(/^c7:3a:9e:01:02:03 +random +- +\d+ +\S+ +ruuvi +-$/m);
    expect(out).toMatch(/^f0:0d:ca:fe:00:01 +public +HRM-Pro +\d+ +\S+ +- +-$/m);
    const entries = (parse(pasteBlock(out)) as { devices: { name: string; address?: string; decoder: string }[] }).devices;
    expect(entries.map((e) => [e.address, e.decoder])).toEqual(
      expect.arrayContaining([
        [DEMO_DEVICES.atc, 'atc'],
        [DEMO_DEVICES.pvvx, 'pvvx'],
        [DEMO_DEVICES.bthome, 'bthome'],
        [DEMO_DEVICES.bthomeEncrypted, 'bthome'],
        [DEMO_DEVICES.ruuvi, 'ruuvi'],
        [DEMO_DEVICES.ibeacon, 'ibeacon'],
      ]),
    );
    // The heart rate strap speaks GATT: no entry is guessed for it. The encrypted sensor is named as such.
    expect(entries).toHaveLength(6);
    expect(out).toMatch(new RegExp(`address: ${DEMO_DEVICES.bthomeEncrypted}, decoder: bthome \\}  # encrypted: add bind_key`));
    expect(out).not.toMatch(new RegExp(`address: ${DEMO_DEVICES.bthome}, decoder: bthome \\}  #`));

    // Pasted under ble: with the encrypted sensor's key, the file passes --check and reads every pasted device.
    const pasted = await mapping(`${bare}${pasteBlock(out).replace(/^/gm, '  ').replace(/(decoder: bthome) \}  # encrypted.*$/m, `$1, bind_key: '${DEMO_BIND_KEY}' }`)}`);
    expect((await runBridgeCommand(bleBridge, ['--config', pasted, '--check'])).code).toBe(0);
    const t = createTestContext({ bridge: 'ble' });
    const source = createBleSource(loadMapping(pasted, bleBridge).ble, t.ctx);
    await source.start();
    const devices = (): string[] => [...new Set(t.points.map((p) => p.tags?.device ?? ''))].sort();
    await t.waitFor(() => devices().length === entries.length, 'points of every pasted device');
    await source.stop();
    expect(devices()).toEqual(entries.map((e) => e.name).sort());
    expect(t.valuesOf('bthome_enc.window')).not.toHaveLength(0);
  });

  it('shows what the mapping maps already, and offers entries only for the rest', async () => {
    const file = await mapping(`source_id: scan-test\nsink: { url: stdout }\nble:\n  replay: ${recording}\n  devices:\n    - { name: kitchen, address: '${DEMO_DEVICES.atc}', decoder: atc }\n    - { name: tags, local_name_prefix: BTHome, decoder: bthome }\n`);
    const { code, out } = await runBridgeCommand(bleBridge, ['--config', file, '--scan']);
    expect(code).toBe(0);
    expect(out).toMatch(/^a4:c1:38:12:34:56 .* atc +kitchen$/m);
    expect(out).toMatch(/^a4:c1:38:b7:10:01 .* bthome +tags$/m);
    const entries = (parse(pasteBlock(out)) as { devices: { address: string }[] }).devices.map((e) => e.address);
    expect(entries).not.toContain(DEMO_DEVICES.atc);
    expect(entries).not.toContain(DEMO_DEVICES.bthome);
    expect(entries).toContain(DEMO_DEVICES.pvvx);
  });

  it('scans the adapter for the duration asked (noble over a simulated adapter), then lets it go', async () => {
    const sim = new SimulatedBindings({ devices: createDemoFleet() });
    const bridge = defineBleBridge({ bindings: () => sim });
    const file = await mapping('source_id: scan-test\nsink: { url: stdout }\nble:\n  adapter: { when_missing: exit }\n');
    // Every device advertises twice as the scan starts: heard long before the scan's second is up.
    sim.on('scanStart', () => {
      sim.advertise();
      sim.advertise();
    });
    const { code, out, err } = await runBridgeCommand(bridge, ['--config', file, '--scan', '1s', '--log-level', 'silent']);
    expect(code, err).toBe(0);
    expect(out).toMatch(/^7 devices heard in 1s on the default adapter \(active scan\), 14 adverts:\n/);
    expect(out).toMatch(/^a4:c1:38:ab:cd:ef +public +ATC_ABCDEF +2 +-?\d+ +pvvx +-$/m);
    // Stopped: advertising now reaches nobody.
    expect(sim.advertise()).toBe(0);
  });

  it('ends a long scan at Ctrl-C, reporting what it heard until then', async () => {
    const file = await mapping('source_id: scan-test\nsink: { url: stdout }\nble:\n  adapter: { when_missing: exit }\n');
    // In a process of its own (Ctrl-C is a real SIGINT): every device advertises as the scan
    // starts; the signal is sent once the scan takes Ctrl-C (a listener more than at the start),
    // the adverts delivered by then.
    const script = `
      const { defineBleBridge } = await import('./src/bridge.ts');
      const { createDemoFleet } = await import('./src/sim/demo-fleet.ts');
      const { SimulatedBindings } = await import('./src/sim/simulated-bindings.ts');
      const { runBridgeCli } = await import('@fieldbridge/core/cli');
      const sim = new SimulatedBindings({ devices: createDemoFleet() });
      const before = process.listenerCount('SIGINT');
      const interruptOnceTaken = () => (process.listenerCount('SIGINT') > before ? process.kill(process.pid, 'SIGINT') : setImmediate(interruptOnceTaken));
      sim.on('scanStart', () => {
        sim.advertise();
        setImmediate(interruptOnceTaken);
      });
      process.exitCode = await runBridgeCli(defineBleBridge({ bindings: () => sim }), ['--config', ${JSON.stringify(file)}, '--scan', '10m', '--log-level', 'silent']);`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--conditions', 'source', '--input-type=module', '-e', script], { cwd: packageDir, encoding: 'utf8', timeout: 60_000 });
    expect(child.status, child.stderr).toBe(0);
    expect(child.stdout).toMatch(/^7 devices heard in [\d.]+m?s \(stopped early\) on the default adapter \(active scan\), 7 adverts:\n/);
    expect(child.stdout).toMatch(/^a4:c1:38:ab:cd:ef +public +ATC_ABCDEF +1 +-?\d+ +pvvx +-$/m);
  });

  it('refuses a duration it cannot use (exit 2), and says what is missing when there is no adapter (exit 1)', async (ctx) => {
    const file = await mapping('source_id: scan-test\nsink: { url: stdout }\nble:\n  adapter: { when_missing: wait }\n');
    const short = await runBridgeCommand(bleBridge, ['--config', file, '--scan', '5ms']);
    expect(short.code).toBe(2);
    expect(short.err).toMatch(/^--scan 5ms: .*1s.* \(e\.g\. 30s, 2m\)\n$/);
    const opened = await loadNoble().then(() => true, () => false);
    if (opened) return ctx.skip();
    const script = `const { main } = await import('./src/cli.ts'); process.exitCode = await main(['--config', ${JSON.stringify(file)}, '--scan', '1s']);`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--conditions', 'source', '--input-type=module', '-e', script], { cwd: packageDir, encoding: 'utf8', timeout: 60_000 });
    expect(child.status).toBe(1);
    expect(child.stdout).toBe('');
    expect(child.stderr).toMatch(/bridge-ble --scan: this kernel has no Bluetooth support \(EAFNOSUPPORT.*replay a record file instead/);
  });
});

describe('bridge-ble --scan and random addresses', () => {
  it('enters a tag on a random static address (a Ruuvi tag) by its address, with no rotation warning; one on a random private address by its name', async () => {
    const ruuvi = { address: 'c7:3a:9e:01:02:03', addressType: 'random' as const, name: 'Ruuvi 7A1F', advertise: () => ({ manufacturerData: encodeRuuvi({ temperature: 4, mac: 'c7:3a:9e:01:02:03' }) }) };
    const tag = { address: '5a:11:22:33:44:55', addressType: 'random' as const, name: 'Tag 12', advertise: () => ({ serviceData: [{ uuid: 'fcd2', data: encodeBthome([[0x02, 21]]) }] }) };
    const nameless = { address: '4c:00:11:22:33:44', addressType: 'random' as const, advertise: () => ({ serviceData: [{ uuid: '181a', data: encodeAtc1441({ mac: '4c:00:11:22:33:44', temperature: 20, humidity: 40, battery: 90, batteryVoltage: 3, counter: 1 }) }] }) };
    const sim = new SimulatedBindings({ devices: [ruuvi, tag, nameless] });
    sim.on('scanStart', () => sim.advertise());
    const file = await mapping('source_id: scan-test\nsink: { url: stdout }\nble:\n  adapter: { when_missing: exit }\n');
    const { code, out, err } = await runBridgeCommand(defineBleBridge({ bindings: () => sim }), ['--config', file, '--scan', '1s', '--log-level', 'silent']);
    expect(code, err).toBe(0);
    const lines = pasteBlock(out).split('\n');
    expect(lines).toContain('  - { name: ruuvi_7a1f, address: c7:3a:9e:01:02:03, decoder: ruuvi }');
    expect(lines).toContain('  - { name: tag_12, local_name: Tag 12, decoder: bthome }');
    expect(lines).toContain('  - { name: atc_223344, address: 4c:00:11:22:33:44, decoder: atc }  # random private address: matches only until it rotates (no name heard to follow instead)');
  });
});

describe('the survey and its listing', () => {
  const advert = (address: string, extra: object = {}) => ({ t: 0, address, addressType: 'random' as const, rssi: -70, ...extra });

  it('keeps a bounded number of devices, counting the rest', () => {
    const survey = createSurvey(undefined, { maxDevices: 3, maxCounted: 5 });
    for (let i = 0; i < 10; i++) survey.advert(advert(`aa:bb:cc:dd:ee:${i.toString(16).padStart(2, '0')}`, { rssi: -50 - i }));
    survey.advert(advert('aa:bb:cc:dd:ee:00', { rssi: -90, name: 'late' }));
    const result = survey.result();
    expect(result.devices.map((d) => [d.address, d.adverts, d.rssiMin, d.rssiMax, d.name])).toEqual([
      ['aa:bb:cc:dd:ee:00', 2, -90, -50, 'late'],
      ['aa:bb:cc:dd:ee:01', 1, -51, -51, undefined],
      ['aa:bb:cc:dd:ee:02', 1, -52, -52, undefined],
    ]);
    expect(result).toMatchObject({ adverts: 11, notListed: 5, countCapped: true });
    const text = formatScan(result, { heardFrom: 'a test' });
    expect(text).toMatch(/^more than 8 devices heard in a test, 11 adverts:\n/);
    expect(text).toContain('... and more than 5 more devices not listed');
    const exact = createSurvey(undefined, { maxDevices: 3 });
    for (let i = 0; i < 10; i++) exact.advert(advert(`aa:bb:cc:dd:ee:${i.toString(16).padStart(2, '0')}`));
    expect(formatScan(exact.result(), { heardFrom: 'a test' })).toMatch(/^10 devices heard in a test, 10 adverts:\n[^]*\n\.\.\. and 7 more devices not listed\n/);
  });

  it('offers one entry, by name, for a device whose random address rotates; pasted, it passes --check', async () => {
    const survey = createSurvey();
    // A Ruuvi tag (RAWv2) heard from three random addresses in turn, under one local name.
    const ruuvi = Uint8Array.from([0x99, 0x04, 0x05, ...new Uint8Array(21)]);
    // Random private addresses (top bits 01 and 00): the kind that rotates.
    for (const address of ['5a:3a:9e:01:02:03', '61:22:33:44:55:66', '29:88:77:66:55:44']) survey.advert(advert(address, { name: 'Ruuvi 7A1F', manufacturerData: ruuvi }));
    const out = formatScan(survey.result(), { heardFrom: 'a test' });
    const entries = (parse(pasteBlock(out)) as { devices: { name: string; local_name: string; decoder: string }[] }).devices;
    expect(entries).toEqual([{ name: 'ruuvi_7a1f', local_name: 'Ruuvi 7A1F', decoder: 'ruuvi' }]);
    expect(out).toContain('local_name: Ruuvi 7A1F, decoder: ruuvi }  # heard from 3 random addresses');
    const file = await mapping(`source_id: scan-test\nsink: { url: stdout }\nble:\n  replay: ${recording}\n${pasteBlock(out).replace(/^/gm, '  ')}`);
    expect((await runBridgeCommand(bleBridge, ['--config', file, '--check'])).code).toBe(0);
  });

  it('quotes only what YAML would misread: awkward local names read back the same, and the pasted entries pass --check', async () => {
    const names = ['on', 'no', 'ON', '1e3', '0x1F', 'true', 'null', '123', 'a: b', '*star', '&anchor', '!bang', '#', 'plant/+/temp'];
    const survey = createSurvey();
    const ruuvi = Uint8Array.from([0x99, 0x04, 0x05, ...new Uint8Array(21)]);
    // On random private addresses, so that each is entered by its local name.
    names.forEach((name, i) => survey.advert(advert(`5a:3a:9e:01:02:${i.toString(16).padStart(2, '0')}`, { name, manufacturerData: ruuvi })));
    survey.advert({ ...advert('12:34:56:12:34:56', { manufacturerData: ruuvi }), addressType: 'public' });
    const out = formatScan(survey.result(), { heardFrom: 'a test' });
    const entries = (parse(pasteBlock(out)) as { devices: { name: unknown; local_name?: unknown; address?: unknown }[] }).devices;
    expect(entries.map((e) => e.local_name ?? e.address).sort()).toEqual([...names, '12:34:56:12:34:56'].sort());
    // Device names made of the local names are strings too (`true`, `null`, `123` are quoted).
    for (const e of entries) expect(typeof e.name, JSON.stringify(e)).toBe('string');
    expect(out).toContain('{ name: plant_temp, local_name: plant/+/temp, decoder: ruuvi }');
    expect(out).toContain('{ name: "true", local_name: "true", decoder: ruuvi }');
    expect(out).toContain('{ name: ruuvi_123456, address: 12:34:56:12:34:56, decoder: ruuvi }');
    const file = await mapping(`source_id: scan-test\nsink: { url: stdout }\nble:\n  replay: ${recording}\n${pasteBlock(out).replace(/^/gm, '  ')}`);
    const checked = await runBridgeCommand(bleBridge, ['--config', file, '--check']);
    expect(checked.code, checked.err).toBe(0);
  });

  it('a hostile local name stays on its line in the listing and is quoted whole in the entry', () => {
    const name = 'evil\n  - { name: x, address: "00:00:00:00:00:00" }\u2028"\'#';
    const survey = createSurvey();
    // A random private address: entered by its local name.
    survey.advert(advert('5a:3a:9e:01:02:03', { name, manufacturerData: Uint8Array.from([0x99, 0x04, 0x05, ...new Uint8Array(21)]) }));
    const out = formatScan(survey.result(), { heardFrom: 'a test' });
    expect(out.split('\n').filter((l) => l.startsWith('5a:3a'))).toHaveLength(1);
    const entries = (parse(pasteBlock(out)) as { devices: { name: string; local_name: string; decoder: string }[] }).devices;
    expect(entries).toEqual([{ name: 'evil_name_x_address_00_00_00_00_00_00', local_name: name, decoder: 'ruuvi' }]);
  });
});
