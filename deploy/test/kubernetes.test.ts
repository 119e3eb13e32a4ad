import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, type FileConfig } from '@fieldbridge/core';
import { CATALOG } from 'fieldbridge';
import { afterAll, describe, expect, it } from 'vitest';
import { readDockerfile, stageEnv } from './helpers/dockerfile.js';
import { rewritePaths } from './helpers/image-paths.js';
import { KINDS, workloads, type Container, type K8sObject, type Workload } from './helpers/kubernetes.js';
import { installedPackagePaths, listenPort, loadMappingFor } from './helpers/mapping.js';
import { run } from './helpers/processes.js';
import { filesIn, publishedPackages, repoPath, yamlDocuments } from './helpers/repo.js';

const files = filesIn('deploy/kubernetes', '.yaml');
const objectsOf = (file: string) => yamlDocuments(repoPath(file)) as K8sObject[];
const runtime = readDockerfile().stages[1]!;
const imageEnv = stageEnv(runtime, {});
const [imageUid, imageGid] = runtime.instructions.filter((i) => i.getKeyword() === 'USER').at(-1)!.getArgumentsContent()!.split(':').map(Number);
const packages = publishedPackages();
/** The capabilities each bridge's container may add, and why (the bridges' READMEs). */
const CAPABILITIES: Record<string, string[]> = {
  // A raw HCI socket (noble's default binding): CAP_NET_RAW. NET_ADMIN only for the HCI user channel, not used.
  ble: ['NET_RAW'],
};
const scratch = mkdtempSync(join(tmpdir(), 'fieldbridge-k8s-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The bridge a container runs: its image is a bridge's, and it runs the image's command. */
function bridgeOf(container: Container): string | undefined {
  const name = /^fieldbridge\/bridge-([a-z]+):/.exec(container.image)?.[1];
  return name && !container.command ? name : undefined;
}

/** Containers running a bridge: regular ones and native sidecars. */
function bridgeContainers(w: Workload): Container[] {
  const sidecars = (w.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  return [...sidecars, ...w.spec.containers].filter((c) => bridgeOf(c));
}

/** The container's environment as the mapping sees it: secrets and fields get stand-in values. */
function containerEnv(container: Container): Record<string, string> {
  const env: Record<string, string> = { ...imageEnv, HOSTNAME: 'bridge-mqtt-plant-a-7d9f-x2x4q' };
  for (const v of container.env ?? []) {
    if (v.value !== undefined) env[v.name] = v.value;
    else if (v.valueFrom?.secretKeyRef) env[v.name] = `secret-${v.valueFrom.secretKeyRef.name}-${v.valueFrom.secretKeyRef.key}`;
    else if (v.valueFrom?.fieldRef) env[v.name] = 'node-1';
  }
  return env;
}

interface LoadedBridge {
  bridge: string;
  container: Container;
  config: FileConfig;
  /** Container path -> folder standing for its mount here. */
  mounts: Record<string, string>;
  observePort: number;
}

/**
 * Validates the container's mapping with its bridge, as the container would read it: the
 * ConfigMap's file at FIELDBRIDGE_CONFIG, mounted paths standing for folders here (a ConfigMap
 * from outside the file gets an empty stand-in for each path the mapping names in it).
 */
async function loadContainer(file: string, objects: K8sObject[], w: Workload, container: Container): Promise<LoadedBridge> {
  const bridge = bridgeOf(container)!;
  const env = containerEnv(container);
  const configPath = env.FIELDBRIDGE_CONFIG!;
  const root = mkdtempSync(join(scratch, `${container.name}-`));
  const mounts: Record<string, string> = {};
  for (const m of container.volumeMounts ?? []) mounts[m.mountPath] = join(root, m.name);
  const configMount = (container.volumeMounts ?? []).find((m) => m.mountPath === dirname(configPath));
  expect(configMount, `${container.name}: a volume at ${dirname(configPath)}`).toBeDefined();
  expect(configMount!.readOnly, `${container.name}: the mapping is mounted read-only`).toBe(true);
  const volume = w.spec.volumes!.find((v) => v.name === configMount!.name)!;
  const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === volume.configMap?.name);
  expect(configMap, `${container.name}: ConfigMap ${volume.configMap?.name} in ${file}`).toBeDefined();
  const text = configMap!.data![basename(configPath)];
  expect(text, `${container.name}: ${basename(configPath)} in ConfigMap ${configMap!.metadata.name}`).toBeDefined();
  const paths = { ...mounts, ...installedPackagePaths() };
  const rewritten = rewritePaths(text!, paths);
  for (const dir of Object.values(mounts)) mkdirSync(dir, { recursive: true });
  for (const [mountPath, dir] of Object.entries(mounts)) {
    const name = (container.volumeMounts ?? []).find((m) => m.mountPath === mountPath)!.name;
    const cm = w.spec.volumes!.find((v) => v.name === name)?.configMap;
    if (!cm || objects.some((o) => o.kind === 'ConfigMap' && o.metadata.name === cm.name)) continue;
    for (const [, named] of rewritten.matchAll(new RegExp(`(${dir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/[\\w./-]+)`, 'g'))) writeFileSync(named!, '');
  }
  const config = await loadMappingFor(bridge, rewritten, `${file} (ConfigMap ${configMap!.metadata.name}, ${basename(configPath)})`, env);
  return { bridge, container, config, mounts, observePort: listenPort(config.observe?.listen)! };
}

/** A probe's or annotation's port, by number or by the container port's name. */
function portNumber(container: Container, port: string | number | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort ?? (port === undefined ? undefined : Number(port));
}

describe('every Kubernetes object', () => {
  it('is one the API knows and valid against its schema (kubernetes-models)', () => {
    for (const file of files) {
      for (const object of objectsOf(file)) {
        const kind = KINDS[`${object.apiVersion}/${object.kind}`];
        expect(kind, `${file}: ${object.apiVersion} ${object.kind}`).toBeDefined();
        expect(() => new kind!.model(object as never).validate(), `${file}: ${object.kind} ${object.metadata.name}`).not.toThrow();
      }
    }
  });

  it('has no field the API does not know (the kubernetes-types declarations under tsc, which refuses excess properties)', async () => {
    const lines: string[] = [];
    const imports = new Set<string>();
    files.forEach((file, f) =>
      objectsOf(file).forEach((object, i) => {
        const kind = KINDS[`${object.apiVersion}/${object.kind}`]!;
        const alias = `${kind.typeModule.replace('/', '_')}_${kind.typeName}`;
        imports.add(`import type { ${kind.typeName} as ${alias} } from 'kubernetes-types/${kind.typeModule}';`);
        lines.push(`// ${file}`, `export const o${f}_${i}: ${alias} = ${JSON.stringify(object)};`);
      }),
    );
    // A control: a misspelt field must be the one error, or a pass above would mean nothing.
    imports.add(`import type { Pod as control_Pod } from 'kubernetes-types/core/v1';`);
    const control = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'control' }, spec: { containers: [{ name: 'c', image: 'i', readinesProbe: {} }] } };
    lines.push(`export const control: control_Pod = ${JSON.stringify(control)};`);
    const dir = mkdtempSync(join(scratch, 'types-'));
    writeFileSync(join(dir, 'manifests.ts'), `${[...imports].join('\n')}\n${lines.join('\n')}\n`);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'NodeNext', moduleResolution: 'NodeNext', types: [], baseUrl: '.', paths: { 'kubernetes-types/*': [repoPath('deploy/node_modules/kubernetes-types/*')] } }, files: ['manifests.ts'] }),
    );
    const tsc = await run('node', [repoPath('node_modules/typescript/bin/tsc'), '-p', dir]);
    const errors = tsc.stdout.split('\n').filter((l) => l.includes('error TS'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/manifests\.ts\(\d+,\d+\): error TS2353: .*readinesProbe/);
    expect(errors[0]).toContain(`(${lines.length + imports.size},`);
  });

  it('names in its file how to create each secret it reads', () => {
    for (const file of files) {
      const text = readFileSync(repoPath(file), 'utf8');
      for (const w of workloads(objectsOf(file))) {
        for (const c of [...(w.spec.initContainers ?? []), ...w.spec.containers]) {
          for (const ref of (c.env ?? []).flatMap((v) => (v.valueFrom?.secretKeyRef ? [v.valueFrom.secretKeyRef] : []))) {
            expect(text, `${file}: secret ${ref.name} key ${ref.key}`).toMatch(new RegExp(`kubectl create secret generic ${ref.name} [^\\n]*--from-literal=${ref.key}=`));
          }
        }
      }
    }
  });
});

describe.each(files)('%s', (file) => {
  const objects = objectsOf(file);
  const pods = workloads(objects);

  it('runs each bridge with the mapping of its ConfigMap, observe on the port its probes, container port and scrape annotations use, and the spool on a writable volume', async () => {
    const loaded: LoadedBridge[] = [];
    for (const w of pods) {
      for (const container of bridgeContainers(w)) {
        const b = await loadContainer(file, objects, w, container);
        loaded.push(b);
        const pkg = packages.find((p) => p.manifest.name === `@fieldbridge/bridge-${b.bridge}`)!.manifest;
        expect(container.image).toBe(`fieldbridge/bridge-${b.bridge}:${pkg.version}`);
        expect(b.config.observe!.listen.startsWith('0.0.0.0:'), `${container.name}: observe reachable by the kubelet`).toBe(true);
        expect(portNumber(container, container.livenessProbe?.httpGet?.port), `${container.name} liveness port`).toBe(b.observePort);
        expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
        expect(portNumber(container, container.readinessProbe?.httpGet?.port), `${container.name} readiness port`).toBe(b.observePort);
        expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
        expect(container.ports?.map((p) => p.containerPort)).toEqual([b.observePort]);
        expect(Number(containerEnv(container).FIELDBRIDGE_OBSERVE_PORT), `${container.name}: the image's HEALTHCHECK port`).toBe(b.observePort);
        expect(w.annotations['prometheus.io/scrape']).toBe('true');
        expect(w.annotations['prometheus.io/path']).toBe('/metrics');
        const annotated = w.annotations['prometheus.io/port'];
        if (annotated !== undefined) expect(Number(annotated), `${container.name}: prometheus.io/port`).toBe(b.observePort);

        const spool = b.config.sink.buffer?.path;
        const mount = Object.entries(b.mounts).find(([, dir]) => spool?.startsWith(`${dir}/`));
        expect(mount, `${container.name}: sink.buffer.path on a volume`).toBeDefined();
        expect(container.volumeMounts!.find((m) => m.mountPath === mount![0])!.readOnly, `${container.name}: the spool volume is writable`).toBeFalsy();

        const drainMs = b.config.sink.shutdown_timeout_ms ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
        expect((w.spec.terminationGracePeriodSeconds ?? 30) * 1000 - drainMs, `${container.name}: grace period`).toBeGreaterThanOrEqual(2_000);
      }
    }
    expect(loaded.length).toBeGreaterThan(0);
    // Containers sharing a network namespace (a Pod; every Pod on hostNetwork) need their own ports.
    expect(new Set(loaded.map((b) => b.observePort)).size).toBe(loaded.length);
  });

  it('gives every container only the capabilities its bridge needs, and runs as the image\'s user unless a capability needs root', () => {
    for (const w of pods) {
      for (const c of [...(w.spec.initContainers ?? []), ...w.spec.containers]) {
        const sc = c.securityContext ?? {};
        expect(sc.allowPrivilegeEscalation, `${c.name}`).toBe(false);
        expect(sc.readOnlyRootFilesystem, `${c.name}`).toBe(true);
        expect(sc.capabilities?.drop, `${c.name}`).toEqual(['ALL']);
        const added = sc.capabilities?.add ?? [];
        const bridge = bridgeOf(c);
        if (bridge) expect(added, `${c.name}: capabilities`).toEqual(CAPABILITIES[bridge] ?? []);
        const nonRoot = sc.runAsNonRoot ?? w.spec.securityContext?.runAsNonRoot;
        if (added.length === 0) {
          expect(nonRoot, `${c.name}: runAsNonRoot`).toBe(true);
          expect(sc.runAsUser ?? w.spec.securityContext?.runAsUser, `${c.name}: the image's user`).toBe(imageUid);
        } else {
          // A capability Kubernetes adds reaches only a root process (no ambient capabilities).
          expect({ runAsUser: sc.runAsUser, runAsNonRoot: sc.runAsNonRoot }, c.name).toEqual({ runAsUser: 0, runAsNonRoot: false });
        }
      }
    }
  });
});

describe('the bridge-modbus sidecar Pod', () => {
  const objects = objectsOf('deploy/kubernetes/modbus-sidecar.yaml');
  const [pod] = workloads(objects);

  it('is a native sidecar that reads the app beside it over localhost, its spool on a claim the file makes, writable by the image\'s group', async () => {
    const sidecar = pod!.spec.initContainers!.find((c) => bridgeOf(c) === 'modbus')!;
    expect(sidecar.restartPolicy).toBe('Always');
    const b = await loadContainer('modbus-sidecar.yaml', objects, pod!, sidecar);
    const device = new URL((b.config.modbus as { devices: { connection: string }[] }).devices[0]!.connection);
    expect(device.hostname).toBe('127.0.0.1');
    const app = pod!.spec.containers.find((c) => c.command?.[0] === 'bridge-modbus-sim')!;
    expect(app.command).toEqual(['bridge-modbus-sim', '--host', '127.0.0.1', '--port', device.port]);
    const spool = pod!.spec.volumes!.find((v) => v.name === sidecar.volumeMounts!.find((m) => m.mountPath === '/var/lib/fieldbridge')!.name)!;
    expect(objects.some((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === spool.persistentVolumeClaim?.claimName)).toBe(true);
    expect(pod!.spec.securityContext?.fsGroup).toBe(imageGid);
  });
});

describe('the bridge-mqtt Deployment', () => {
  const objects = objectsOf('deploy/kubernetes/mqtt-deployment.yaml');
  const [deployment] = workloads(objects);

  it('shares one subscription between its replicas, each with its own client id, and a budget that keeps most of them through disruptions', async () => {
    const container = deployment!.spec.containers[0]!;
    const b = await loadContainer('mqtt-deployment.yaml', objects, deployment!, container);
    const mqtt = b.config.mqtt as { client_id: string; protocol_version: number; subscriptions: { topic: string }[] };
    expect(mqtt.protocol_version).toBe(5);
    expect(mqtt.client_id).toBe(`fieldbridge-${containerEnv(container).HOSTNAME}`);
    expect(readFileSync(repoPath('deploy/kubernetes/mqtt-deployment.yaml'), 'utf8')).toContain('client_id: fieldbridge-${HOSTNAME}');
    expect(mqtt.subscriptions.length).toBeGreaterThan(0);
    for (const s of mqtt.subscriptions) expect(s.topic).toMatch(/^\$share\/fieldbridge\//);

    const spec = deployment!.object.spec as { replicas: number; selector: { matchLabels: Record<string, string> } };
    const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget')!;
    const budget = pdb.spec as { minAvailable: number; selector: { matchLabels: Record<string, string> } };
    expect(budget.selector.matchLabels).toEqual(spec.selector.matchLabels);
    expect(deployment!.labels).toMatchObject(spec.selector.matchLabels);
    expect(budget.minAvailable).toBeGreaterThanOrEqual(1);
    expect(budget.minAvailable).toBeLessThan(spec.replicas);
  });
});

describe('the BLE/CAN gateway DaemonSet', () => {
  const objects = objectsOf('deploy/kubernetes/gateway-daemonset.yaml');
  const [daemonset] = workloads(objects);

  it('runs on the gateway nodes in the host\'s network namespace, where Bluetooth sockets and can0 are', async () => {
    expect(daemonset!.spec.hostNetwork).toBe(true);
    expect(daemonset!.spec.nodeSelector).toEqual({ 'fieldbridge.io/gateway': 'true' });
    const bridges = bridgeContainers(daemonset!).map(bridgeOf).sort();
    expect(bridges).toEqual(['ble', 'can']);
    const can = await loadContainer('gateway-daemonset.yaml', objects, daemonset!, daemonset!.spec.containers.find((c) => bridgeOf(c) === 'can')!);
    expect((can.config.can as { interface: string }).interface).toMatch(/^socketcan:/);
    for (const entry of CATALOG.filter((e) => bridges.includes(e.name))) expect(entry.package).toBe(`@fieldbridge/bridge-${entry.name}`);
  });

  it('hands the CAN spool folder to the image\'s user with CAP_CHOWN only, before the bridges start', () => {
    const [init] = daemonset!.spec.initContainers!;
    const can = daemonset!.spec.containers.find((c) => bridgeOf(c) === 'can')!;
    const spoolMount = can.volumeMounts!.find((m) => m.mountPath === '/var/lib/fieldbridge')!;
    expect(init!.restartPolicy).toBeUndefined();
    expect(init!.command).toEqual(['chown', `${imageUid}:${imageGid}`, '/var/lib/fieldbridge']);
    expect(init!.volumeMounts).toEqual([{ name: spoolMount.name, mountPath: '/var/lib/fieldbridge' }]);
    expect(init!.securityContext?.capabilities).toEqual({ drop: ['ALL'], add: ['CHOWN'] });
    expect(daemonset!.spec.volumes!.find((v) => v.name === spoolMount.name)?.hostPath?.type).toBe('DirectoryOrCreate');
  });
});
