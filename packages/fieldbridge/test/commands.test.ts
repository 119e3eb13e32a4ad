import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { captureIo, trackCleanups, writeTempFile } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../src/catalog.js';
import { main } from '../src/cli/main.js';
import { MappingFileError, readMappingFile } from '../src/mapping-files.js';

const track = trackCleanups();

/** Runs `fieldbridge ARGS` in this process; resolves with the exit code and what it printed. */
async function fieldbridge(args: string[], env: NodeJS.ProcessEnv = {}) {
  const io = captureIo();
  const code = await main(args, { stdout: io.stdout, stderr: io.stderr, env });
  return { code, out: io.out(), err: io.err() };
}

describe('fieldbridge bridges', () => {
  it('lists every bridge of the project as installed, with its version', async () => {
    const { code, out } = await fieldbridge(['bridges', '--json']);
    expect(code).toBe(0);
    const rows = JSON.parse(out) as { name: string; package: string; installed: boolean; version?: string }[];
    expect(rows.map((r) => r.name)).toEqual(['modbus', 'mqtt', 'opcua', 'can', 'mavlink', 'ble']);
    for (const row of rows) {
      expect(row.installed, row.name).toBe(true);
      const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '../../', row.package.replace('@fieldbridge/', ''), 'package.json'), 'utf8')) as { version: string };
      expect(row.version).toBe(manifest.version);
    }
  });
});

describe('fieldbridge init, then check', () => {
  it.each(CATALOG.map((e) => e.name))('init %s writes a starter that passes check', async (name) => {
    const file = join(await track.tempDir('fb-init-'), `${name}.yaml`);
    const init = await fieldbridge(['init', name, '--out', file]);
    expect(init.code, init.err).toBe(0);
    const check = await fieldbridge(['check', file]);
    expect(check.code, check.err).toBe(0);
    expect(check.out).toContain(`${file}: ok`);
    expect(check.out).toContain(`\n${name}:\n`);
  });

  it('init of several bridges makes one file holding each section, which passes check', async () => {
    const file = join(await track.tempDir('fb-init-'), 'site.yaml');
    expect((await fieldbridge(['init', 'modbus', 'mqtt', 'can', '--out', file])).code).toBe(0);
    const check = await fieldbridge(['check', file]);
    expect(check.code, check.err).toBe(0);
    expect(check.out).toMatch(/\nmodbus:\n[\s\S]*\nmqtt:\n[\s\S]*\ncan:\n/);
  });

  it('starters of different bridges run side by side: their spools and observe ports differ', async () => {
    const dir = await track.tempDir('fb-init-');
    const files = [];
    for (const name of ['modbus', 'mqtt']) {
      const file = join(dir, `${name}.yaml`);
      expect((await fieldbridge(['init', name, '--out', file])).code).toBe(0);
      files.push(file);
    }
    expect(readFileSync(files[0]!, 'utf8')).toContain('path: ./modbus-1-spool');
    expect(readFileSync(files[1]!, 'utf8')).toContain('${OBSERVE_LISTEN:-127.0.0.1:9465}');
    const check = await fieldbridge(['check', ...files]);
    expect({ code: check.code, err: check.err }).toEqual({ code: 0, err: '' });
  });

  it('starters of one bridge written into one folder (a conf.d) run side by side: each its own source_id, spool and observe port', async () => {
    const dir = await track.tempDir('fb-init-');
    // A file of the user's own holds the second number: the third starter passes it by too.
    await writeFile(join(dir, 'mine.yaml'), 'source_id: modbus-2\nsink: { url: stdout }\nobserve: { listen: "127.0.0.1:9470" }\nmodbus: { devices: [] }\n');
    const runs = [];
    for (const name of ['line-a', 'line-b', 'line-c']) runs.push(await fieldbridge(['init', 'modbus', '--out', join(dir, `${name}.yaml`)]));
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
    const text = (name: string) => readFileSync(join(dir, `${name}.yaml`), 'utf8');
    expect(text('line-a')).toMatch(/source_id: modbus-1 [\s\S]*path: \.\/modbus-1-spool [\s\S]*127\.0\.0\.1:9464\}/);
    expect(text('line-b')).toMatch(/source_id: modbus-3 [\s\S]*path: \.\/modbus-3-spool [\s\S]*127\.0\.0\.1:9471\}/);
    expect(text('line-c')).toMatch(/source_id: modbus-4 [\s\S]*path: \.\/modbus-4-spool [\s\S]*127\.0\.0\.1:9472\}/);
    expect(runs[1]!.err).toContain('line-b.yaml: source_id modbus-3, observe port 9471: files beside it hold source_id modbus-1 (in line-a.yaml), source_id modbus-2 (in mine.yaml), observe port 9464 (in line-a.yaml)');
    // --force over a file does not count the file it replaces.
    expect((await fieldbridge(['init', 'modbus', '--out', join(dir, 'line-c.yaml'), '--force'])).code).toBe(0);
    expect(text('line-c')).toContain('source_id: modbus-4 ');
    const starters = ['line-a', 'line-b', 'line-c'].map((n) => join(dir, `${n}.yaml`));
    const check = await fieldbridge(['check', ...starters]);
    expect({ code: check.code, err: check.err }).toEqual({ code: 0, err: '' });
  });

  it('init --out into a folder that does not exist yet makes it (the first starter of a conf.d)', async () => {
    const dir = join(await track.tempDir('fb-init-'), 'conf.d');
    const file = join(dir, 'modbus.yaml');
    const init = await fieldbridge(['init', 'modbus', '--out', file]);
    expect({ code: init.code, err: init.err }).toEqual({ code: 0, err: `wrote ${file}: check it with \`fieldbridge check ${file}\`, run it with \`fieldbridge run ${file}\`\n` });
    const check = await fieldbridge(['check', dir]);
    expect({ code: check.code, err: check.err }).toEqual({ code: 0, err: '' });
  });

  it('init --out FOLDER (there, or written with a trailing /) writes a new file in it named after its source_id', async () => {
    const dir = await track.tempDir('fb-init-');
    const first = await fieldbridge(['init', 'modbus', '--out', dir]);
    expect(first.code, first.err).toBe(0);
    expect(first.err).toContain(`wrote ${join(dir, 'modbus-1.yaml')}: `);
    const second = await fieldbridge(['init', 'modbus', '--out', `${dir}/`]);
    expect(second.code, second.err).toBe(0);
    expect(second.err).toContain(`wrote ${join(dir, 'modbus-2.yaml')}: `);
    const made = await fieldbridge(['init', 'mqtt', '--out', `${join(dir, 'conf.d')}/`]);
    expect(made.code, made.err).toBe(0);
    expect(made.err).toContain(`wrote ${join(dir, 'conf.d', 'mqtt-1.yaml')}: `);
    const check = await fieldbridge(['check', dir]);
    expect({ code: check.code, err: check.err }).toEqual({ code: 0, err: '' });
  });

  it('a starter says how to try it here: the local gateway at its default url, and the key in PLEXUS_API_KEY', async () => {
    const { code, out } = await fieldbridge(['init', 'mqtt']);
    expect(code).toBe(0);
    expect(out).toContain('url: ${FIELDBRIDGE_SINK_URL:-http://127.0.0.1:8080/ingest}');
    expect(out).toContain('`npx fieldbridge-gateway --api-key dev-key` listens at that url');
    expect(out).toContain('`PLEXUS_API_KEY=dev-key fieldbridge run this.yaml` sends to it');
  });

  it('check says where a relative spool path lands (the working directory), so a run from another folder does not strand a backlog', async () => {
    const dir = await track.tempDir('fb-init-');
    const file = join(dir, 'modbus.yaml');
    expect((await fieldbridge(['init', 'modbus', '--out', file])).code).toBe(0);
    const relative = await fieldbridge(['check', file]);
    expect(relative.out).toContain(`\n  spool: ${resolve('modbus-1-spool')} (buffer.path ./modbus-1-spool is read from the working directory: start every run from this folder, or write the path whole`);
    await writeFile(file, readFileSync(file, 'utf8').replace('path: ./modbus-1-spool', `path: ${join(dir, 'spool')}`));
    const whole = await fieldbridge(['check', file]);
    expect(whole.code, whole.err).toBe(0);
    expect(whole.out).not.toContain('  spool: ');
  });

  it('init never replaces a file without --force', async () => {
    const file = await writeTempFile(track, 'mine.yaml', 'source_id: mine\n');
    const again = await fieldbridge(['init', 'modbus', '--out', file]);
    expect(again.code).toBe(2);
    expect(again.err).toContain('exists; choose another --out, or --force');
    expect(readFileSync(file, 'utf8')).toBe('source_id: mine\n');
    expect((await fieldbridge(['init', 'modbus', '--out', file, '--force'])).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('modbus:');
  });

  it('an unknown bridge is a usage error naming the ones there are', async () => {
    const { code, err } = await fieldbridge(['init', 'profibus']);
    expect(code).toBe(2);
    expect(err).toContain('no bridge "profibus" (bridges: modbus, mqtt, opcua, can, mavlink, ble)');
  });
});

describe('fieldbridge check: wrong files', () => {
  it('names file, line, column and key of every problem, in every section', async () => {
    const file = await writeTempFile(
      track,
      'bad.yaml',
      ['source_id: site', 'modbus:', '  devices:', '    - name: plc', '      connection: tcp://127.0.0.1:502', '      points: [{ metric: a, table: holding, adress: 0 }]', 'mqtt:', '  url: mqtt://127.0.0.1', '  subscriptions: []', 'colour: red', ''].join('\n'),
    );
    const { code, err } = await fieldbridge(['check', file]);
    expect(code).toBe(2);
    expect(err).toContain(`${file}:6:45 modbus.devices[0].points[0].adress: unknown key`);
    expect(err).toContain(`${file}:10:1 colour: unknown key`);
    expect(err).toMatch(new RegExp(`${file}:9:\\d+ mqtt.subscriptions`));
  });

  it('a misspelt section next to another bridge\'s is named as the section it was meant to be', async () => {
    const file = await writeTempFile(track, 'typo.yaml', ['source_id: site', 'sink: { url: stdout }', 'mqtt:', '  url: mqtt://127.0.0.1', '  subscriptions: [{ topic: a/b, metric: a.b }]', 'modbuss:', '  devices: []', ''].join('\n'));
    const { code, err } = await fieldbridge(['check', file]);
    expect(code).toBe(2);
    expect(err).toContain(`${file}:6:1 modbuss: unknown key (did you mean modbus?)`);
  });

  it('check and run say where a ${VAR} is not set, as it reads as empty', async () => {
    const file = await writeTempFile(track, 'unset.yaml', ['source_id: site', 'sink: { url: stdout }', 'mqtt:', '  url: mqtt://127.0.0.1', '  password: ${MQTT_PASSWORD}', '  subscriptions: [{ topic: a/b, metric: a.b }]', ''].join('\n'));
    const { code, err } = await fieldbridge(['check', file]);
    expect(code, err).toBe(0);
    expect(err).toContain(`${file}:5:13 mqtt.password: \${MQTT_PASSWORD} is not set, so it reads as empty`);
    expect((await fieldbridge(['check', file], { MQTT_PASSWORD: 'secret' })).err).toBe('');
  });

  it('check says a bridge\'s warning at its place in the file, and accepts the file', async () => {
    const file = await writeTempFile(track, 'modicon.yaml', ['source_id: site', 'sink: { url: stdout }', 'modbus:', '  devices:', '    - name: meter', '      connection: tcp://192.0.2.1:502', '      points: [{ metric: v, table: holding, address: 40001 }]', ''].join('\n'));
    const { code, err } = await fieldbridge(['check', file]);
    expect(code, err).toBe(0);
    expect(err).toContain(`${file}:7:54 modbus.devices[0].points[0].address: warning: 40001 reads like a Modicon register number`);
  });

  it('two files of one run that name the same spool or observe port are refused by check and run, at the later one\'s line', async () => {
    const body = (id: string, listen: string) => [`source_id: ${id}`, 'sink:', '  url: stdout', '  buffer: { path: ./fieldbridge-spool }', `observe: { listen: '${listen}' }`, 'mqtt:', '  url: mqtt://127.0.0.1', '  subscriptions: [{ topic: a/b, metric: a.b }]', ''].join('\n');
    const a = await writeTempFile(track, 'a.yaml', body('site-a', '127.0.0.1:9464'));
    const b = await writeTempFile(track, 'b.yaml', body('site-b', '0.0.0.0:9464'));
    for (const command of ['check', 'run']) {
      const { code, err } = await fieldbridge([command, a, b]);
      expect(code).toBe(2);
      expect(err).toContain(`${b}:4:19 sink.buffer.path: ./fieldbridge-spool is the spool ${a} uses too: each file of a run needs its own buffer.path`);
      expect(err).toContain(`${b}:5:20 observe.listen: 0.0.0.0:9464: ${a} listens there too`);
    }
    // Port 0 and another spool: no clash.
    const c = await writeTempFile(track, 'c.yaml', body('site-c', '127.0.0.1:0').replace('./fieldbridge-spool', './spool-c'));
    const d = await writeTempFile(track, 'd.yaml', body('site-d', '127.0.0.1:0').replace('./fieldbridge-spool', './spool-d'));
    expect((await fieldbridge(['check', c, d])).code).toBe(0);
  });

  it('two files of one run sending one source_id to one receiver are refused by check and run, at the later one\'s line', async () => {
    const body = (name: string, url: string) => ['source_id: plc-a', 'sink:', `  url: ${url}`, `  buffer: { path: ./spool-${name} }`, 'mqtt:', '  url: mqtt://127.0.0.1', `  client_id: fb-${name}`, '  subscriptions: [{ topic: a/b, metric: a.b }]', ''].join('\n');
    const a = await writeTempFile(track, 'src-a.yaml', body('a', 'http://gateway.local:8080/ingest'));
    // The same service's WebSocket endpoint, its host in capitals: the same receiver.
    const b = await writeTempFile(track, 'src-b.yaml', body('b', 'ws://GATEWAY.local:8080/ws/device'));
    for (const command of ['check', 'run']) {
      const { code, err } = await fieldbridge([command, a, b]);
      expect(code).toBe(2);
      expect(err).toContain(`${b}:1:12 source_id: plc-a: ${a} sends to gateway.local:8080 as this source too`);
    }
    // Another receiver, another key at it (another tenant), or the stdout sink: no clash.
    expect((await fieldbridge(['check', a, await writeTempFile(track, 'src-c.yaml', body('c', 'https://cloud.example.com/ingest'))])).code).toBe(0);
    expect((await fieldbridge(['check', a, await writeTempFile(track, 'src-f.yaml', body('f', 'http://gateway.local:8080/ingest').replace('sink:', 'sink:\n  api_key: other-tenant'))])).code).toBe(0);
    const out = (name: string) => writeTempFile(track, `src-${name}.yaml`, body(name, 'stdout'));
    expect((await fieldbridge(['check', await out('d'), await out('e')])).code).toBe(0);
  });

  it('two files of one run with one MQTT client id at one broker, or one serial port, are refused by check and run, at the later one\'s line', async () => {
    const mqtt = (id: string, url: string) => [`source_id: ${id}`, 'sink: { url: stdout }', 'mqtt:', `  url: ${url}`, '  client_id: fieldbridge-1', '  subscriptions: [{ topic: a/b, metric: a.b }]', ''].join('\n');
    const a = await writeTempFile(track, 'mqtt-a.yaml', mqtt('site-a', 'mqtt://broker.local'));
    // The same broker written with its default port and in capitals: the same client id there.
    const b = await writeTempFile(track, 'mqtt-b.yaml', mqtt('site-b', 'mqtt://BROKER.local:1883'));
    for (const command of ['check', 'run']) {
      const { code, err } = await fieldbridge([command, a, b]);
      expect(code).toBe(2);
      expect(err).toBe(`${b}:5:14 mqtt.client_id: fieldbridge-1: ${a} connects to this broker (mqtt://broker.local:1883) with this client id too: a broker lets one client hold an id at a time, so the two would kick each other off in turn; give each file its own client_id\n`);
    }
    // Another broker, or another id: no clash.
    const c = await writeTempFile(track, 'mqtt-c.yaml', mqtt('site-c', 'mqtt://other.local'));
    expect((await fieldbridge(['check', a, c])).code).toBe(0);
    expect((await fieldbridge(['check', a, await writeTempFile(track, 'mqtt-d.yaml', mqtt('site-d', 'mqtt://broker.local').replace('fieldbridge-1', 'fieldbridge-2'))])).code).toBe(0);

    // A serial port: Modbus RTU devices of one file share their line; a MAVLink link of another file on it clashes.
    const rtu = (name: string) => `{ name: ${name}, connection: 'rtu:///dev/ttyUSB7?baud=9600', points: [{ metric: level, table: holding, address: 0 }] }`;
    const modbus = await writeTempFile(track, 'rtu.yaml', ['source_id: line-1', 'sink: { url: stdout }', 'modbus:', '  devices:', `    - ${rtu('plc1')}`, `    - ${rtu('plc2')}`, ''].join('\n'));
    expect((await fieldbridge(['check', modbus])).code).toBe(0);
    const mavlink = await writeTempFile(track, 'mav.yaml', ['source_id: drone', 'sink: { url: stdout }', 'mavlink:', "  connection: 'serial:///dev/ttyUSB7?baud=57600'", ''].join('\n'));
    const { code, err } = await fieldbridge(['check', modbus, mavlink]);
    expect(code).toBe(2);
    expect(err).toBe(`${mavlink}:4:15 mavlink.connection: /dev/ttyUSB7: ${modbus} opens this serial port too: a port is opened by one program at a time (the second would retry it for ever); read the devices of one line from one file\n`);
  });

  it('two MAVLink files listening on one UDP port are refused at the later one\'s line; other addresses, other ports and port 0 are not', async () => {
    const mav = async (name: string, connection: string) => writeTempFile(track, `${name}.yaml`, [`source_id: ${name}`, 'sink: { url: stdout }', 'mavlink:', `  connection: '${connection}'`, ''].join('\n'));
    const any = await mav('any', 'udpin://0.0.0.0:14550');
    // The defaults (every interface, 14550) and one interface inside every interface: the same port.
    for (const connection of ['udpin://', 'udpin://127.0.0.1:14550']) {
      const later = await mav('later', connection);
      const { code, err } = await fieldbridge(['check', any, later]);
      expect(code, connection).toBe(2);
      expect(err).toBe(`${later}:4:15 mavlink.connection: ${connection}: ${any} listens on UDP port 14550 too: one program at a time can (the second cannot bind it); listen in one file, or give each its own port\n`);
    }
    const loopback = await mav('loopback', 'udpin://127.0.0.1:14550');
    expect((await fieldbridge(['check', loopback, await mav('lan', 'udpin://192.168.7.2:14550')])).code).toBe(0);
    expect((await fieldbridge(['check', any, await mav('other-port', 'udpin://0.0.0.0:14551')])).code).toBe(0);
    expect((await fieldbridge(['check', await mav('free-1', 'udpin://127.0.0.1:0'), await mav('free-2', 'udpin://127.0.0.1:0')])).code).toBe(0);
  });

  it('a file named twice is said to be named twice, not to clash with itself', async () => {
    const file = await writeTempFile(track, 'twice.yaml', ['source_id: site', 'sink: { url: stdout, buffer: { path: ./spool-twice } }', "observe: { listen: '127.0.0.1:9464' }", 'mqtt:', '  url: mqtt://127.0.0.1', '  subscriptions: [{ topic: a/b, metric: a.b }]', ''].join('\n'));
    const other = `${dirname(file)}/./${basename(file)}`;
    for (const command of ['check', 'run']) {
      const { code, err } = await fieldbridge([command, file, other, file]);
      expect(code).toBe(2);
      expect(err).toBe(`${other}: the same file as ${file}, given twice: name each mapping file once\n${file}: given twice: name each mapping file once\n`);
    }
  });

  it('a file with no bridge section says which it could hold', async () => {
    const file = await writeTempFile(track, 'empty.yaml', 'source_id: site\n');
    const { code, err } = await fieldbridge(['check', file]);
    expect(code).toBe(2);
    expect(err).toContain('the file has no bridge section: add one of modbus, mqtt, opcua, can, mavlink, ble');
  });

  it('a section whose bridge is not installed names the package to install, at its line', async () => {
    const catalog = [...CATALOG, { name: 'lorawan', package: '@fieldbridge/bridge-lorawan', summary: 'LoRaWAN uplinks' }];
    const file = await writeTempFile(track, 'lora.yaml', 'source_id: site\nmodbus:\n  devices: []\nlorawan:\n  region: EU868\n');
    const error = await readMappingFile(file, {}, catalog).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MappingFileError);
    expect((error as Error).message).toBe(`${file}:4:1 lorawan: bridge-lorawan is not installed: npm install @fieldbridge/bridge-lorawan`);
  });

  it('read again (SIGHUP), a file loads the bridge of a section added since, and refuses one whose bridge is not installed, as at the first read', async () => {
    const catalog = [...CATALOG, { name: 'lorawan', package: '@fieldbridge/bridge-lorawan', summary: 'LoRaWAN uplinks' }];
    const mqtt = 'source_id: site\nmqtt:\n  url: mqtt://127.0.0.1:1883\n  subscriptions: [{ topic: a/b, format: number, metric: a.b }]\n';
    const file = await writeTempFile(track, 'grows.yaml', mqtt);
    const first = await readMappingFile(file, {}, catalog);
    expect(first.definitions.map((d) => d.name)).toEqual(['mqtt']);
    const modbus = 'modbus:\n  devices:\n    - { name: plc, connection: "tcp://127.0.0.1:502", points: [{ metric: level, table: holding, address: 0 }] }\n';
    await writeFile(file, mqtt + modbus);
    const grown = await first.reload();
    expect(grown.definitions.map((d) => d.name)).toEqual(['mqtt', 'modbus']);
    expect(grown.config.modbus).toBeDefined();
    await writeFile(file, `${mqtt}lorawan:\n  region: EU868\n`);
    const error = await grown.reload().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MappingFileError);
    expect((error as Error).message).toBe(`${file}:5:1 lorawan: bridge-lorawan is not installed: npm install @fieldbridge/bridge-lorawan`);
  });

  it('refuses a file whose tags leave no room for those a bridge adds, which the sink would refuse point by point', async () => {
    const tags = `{ ${Array.from({ length: 15 }, (_, i) => `t${i}: v`).join(', ')} }`;
    const points = (extra: string) => `source_id: site\ntags: ${tags}\nmodbus:\n  devices:\n    - name: plc\n      connection: tcp://127.0.0.1:502\n      points: [{ metric: level, table: holding, address: 0${extra} }]\n`;
    // 15 and `device` make 16.
    expect((await fieldbridge(['check', await writeTempFile(track, 'room.yaml', points(''))])).code).toBe(0);
    const file = await writeTempFile(track, 'crowded.yaml', points(', unit: m'));
    const { code, err } = await fieldbridge(['check', file]);
    expect(code).toBe(2);
    expect(err).toBe(
      `${file}:2:7 tags: the points of modbus.devices[0].points[0] would carry 17 tags, more than the 16 a point may have: the file's 15 (tags:), device and unit (added by the modbus bridge), so the sink would refuse every one of them (dead-lettered, never sent). Remove 1 here\n`,
    );
  });

  it('a missing file is exit 2 with the reason', async () => {
    const { code, err } = await fieldbridge(['check', '/nonexistent/site.yaml']);
    expect(code).toBe(2);
    expect(err).toBe('/nonexistent/site.yaml: cannot read the mapping file (ENOENT): no such file\n');
  });

  it('a file named .yml where a .yaml of that name is (or the other way) is named in the error', async () => {
    const dir = await track.tempDir('fb-missing-');
    const { code } = await fieldbridge(['init', 'modbus', '--out', join(dir, 'site.yaml')]);
    expect(code).toBe(0);
    const run = await fieldbridge(['run', join(dir, 'site.yml')]);
    expect({ code: run.code, err: run.err }).toEqual({ code: 2, err: `${join(dir, 'site.yml')}: cannot read the mapping file (ENOENT): no such file; ${join(dir, 'site.yaml')} exists, is that the one?\n` });
  });
});

describe('fieldbridge schema', () => {
  it("prints one bridge's schema exactly as its package ships it", async () => {
    for (const entry of CATALOG) {
      const { code, out } = await fieldbridge(['schema', entry.name]);
      expect(code).toBe(0);
      expect(out).toBe(readFileSync(join(import.meta.dirname, '../../', entry.package.replace('@fieldbridge/', ''), 'schema.json'), 'utf8'));
    }
  });

  it('without a bridge, the schema of a file that may hold any section', async () => {
    const { code, out } = await fieldbridge(['schema']);
    expect(code).toBe(0);
    const schema = JSON.parse(out) as { properties: Record<string, unknown>; additionalProperties: boolean };
    for (const entry of CATALOG) expect(schema.properties[entry.name], entry.name).toBeDefined();
    expect(schema.properties.sink).toBeDefined();
    expect(schema.additionalProperties).toBe(false);
  });
});

describe('fieldbridge usage', () => {
  it('no command prints the help and exits 2; a wrong option exits 2', async () => {
    const bare = await fieldbridge([]);
    expect(bare.code).toBe(2);
    expect(bare.out + bare.err).toContain('Usage: fieldbridge');
    expect((await fieldbridge(['run', '--bogus'])).code).toBe(2);
    expect((await fieldbridge(['--version'])).code).toBe(0);
  });

  it('run without a file says how to get one', async () => {
    const { code, err } = await fieldbridge(['run']);
    expect(code).toBe(2);
    expect(err).toContain('`fieldbridge init <bridge>` writes one');
  });
});
