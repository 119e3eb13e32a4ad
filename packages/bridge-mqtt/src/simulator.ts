import type { MqttClient } from 'mqtt';

/** Options of {@link startMqttSimulator}. */
export interface MqttSimulatorOptions {
  /** Broker to publish to, e.g. `mqtt://127.0.0.1:1883`. */
  url: string;
  /** Time between two rounds of messages, in ms. Default 1000. */
  intervalMs?: number;
  /** Sparkplug group id. Default `plant-a`. */
  group?: string;
  /** Sparkplug edge node id. Default `edge1`. */
  edgeNode?: string;
  /** Epoch ms clock for payload timestamps. Default `Date.now`. */
  now?: () => number;
}

/** A running simulator. */
export interface MqttSimulator {
  /** Messages published so far. */
  published(): number;
  /** Publishes one round now (the timer publishes one every `intervalMs`). */
  tick(): Promise<void>;
  /**
   * Publishes the Sparkplug NDEATH, as an edge node shutting down does, and disconnects. A broker
   * that is gone or stops answering does not hold it up: it then resolves within a few seconds
   * (the broker sends the will instead). Idempotent.
   */
  close(): Promise<void>;
}

/** How long `close()` waits for the broker to take the goodbye. */
const GOODBYE_MS = 2000;

/** Resolves true once `work` does, false if the client loses its connection or `ms` pass first. */
function whileConnected(client: MqttClient, work: Promise<unknown>, ms: number): Promise<boolean> {
  if (!client.connected) return Promise.resolve(false);
  return new Promise((resolve) => {
    const settle = (outcome: boolean): void => {
      clearTimeout(timer);
      client.off('offline', lost);
      client.off('close', lost);
      resolve(outcome);
    };
    const lost = (): void => settle(false);
    const timer = setTimeout(lost, ms);
    client.once('offline', lost);
    client.once('close', lost);
    work.then(
      () => settle(true),
      () => settle(false),
    );
  });
}

interface SparkplugEncoder {
  encodePayload(payload: unknown): Uint8Array;
}

const MACHINES = [
  ['line1', 'press1', 'T-101'],
  ['line1', 'press2', 'T-102'],
  ['line2', 'oven1', 'T-201'],
] as const;

/**
 * Publishes what a small plant sends to its broker, the traffic `examples/mqtt/map.yaml`
 * maps: JSON temperatures (`plant/<line>/<machine>/temperature`, timestamps in seconds), JSON
 * environment readings (`plant/<line>/env`, several fields, ms timestamps), bare counters
 * (`plant/<line>/<machine>/counter`), and a Sparkplug B edge node with one device (births with
 * aliases, DATA by alias, NDEATH as its will; it answers NCMD Rebirth). mqtt.js and the
 * Sparkplug library load on start.
 */
export async function startMqttSimulator(options: MqttSimulatorOptions): Promise<MqttSimulator> {
  const { connectAsync } = await import('mqtt');
  const tahu = (await import('sparkplug-payload')).get('spBv1.0') as SparkplugEncoder;
  const now = options.now ?? Date.now;
  const group = options.group ?? 'plant-a';
  const node = options.edgeNode ?? 'edge1';
  const base = `spBv1.0/${group}`;
  const bdSeq = 0;
  const death = tahu.encodePayload({ timestamp: now(), metrics: [{ name: 'bdSeq', type: 'UInt64', value: bdSeq }] });
  const client: MqttClient = await connectAsync(options.url, {
    clientId: `fieldbridge-sim-${process.pid}`,
    reconnectPeriod: 1000,
    will: { topic: `${base}/NDEATH/${node}`, payload: Buffer.from(death), qos: 1, retain: false },
  });
  let published = 0;
  let round = 0;
  let seq = 0;
  const publish = async (topic: string, payload: string | Uint8Array, qos: 0 | 1 = 1): Promise<void> => {
    await client.publishAsync(topic, typeof payload === 'string' ? payload : Buffer.from(payload), { qos });
    published += 1;
  };
  const sparkplug = (topic: string, metrics: unknown[]): Promise<void> => {
    const payload = tahu.encodePayload({ timestamp: now(), seq: seq, metrics });
    seq = (seq + 1) % 256;
    return publish(`${base}/${topic}`, payload, 0);
  };
  const births = async (): Promise<void> => {
    seq = 0;
    await sparkplug(`NBIRTH/${node}`, [
      { name: 'bdSeq', type: 'UInt64', value: bdSeq },
      { name: 'Node Control/Rebirth', type: 'Boolean', value: false },
      { name: 'uptime_s', alias: 1, type: 'UInt32', value: round },
      { name: 'cpu/temperature', alias: 2, type: 'Float', value: 45 },
    ]);
    await sparkplug(`DBIRTH/${node}/robot1`, [
      { name: 'axis/1/angle', alias: 10, type: 'Double', value: 0 },
      { name: 'gripper/closed', alias: 11, type: 'Boolean', value: false },
      { name: 'program', alias: 12, type: 'String', value: 'pick-and-place' },
      { name: 'cycles', alias: 13, type: 'UInt64', value: 0 },
    ]);
  };
  // The rounds and the rebirths asked for, one after the other.
  let running: Promise<void> = Promise.resolve();
  client.on('message', (topic, payload) => {
    const command = topic === `${base}/NCMD/${node}` ? (tahu as unknown as { decodePayload(p: Uint8Array): { metrics?: { name?: string; value?: unknown }[] } }).decodePayload(payload) : undefined;
    if (command?.metrics?.some((m) => m.name === 'Node Control/Rebirth' && m.value === true)) {
      // In turn with the rounds, as an edge node does: no DATA between its NBIRTH and its DBIRTH.
      running = running.then(births).catch((err: unknown) => {
        process.stderr.write(`simulator: rebirth failed: ${(err as Error).message}\n`);
      });
    }
  });
  await client.subscribeAsync(`${base}/NCMD/${node}`, { qos: 0 });
  await births();

  const tick = async (): Promise<void> => {
    round += 1;
    const t = now();
    const wave = (period: number, phase = 0): number => Math.sin((2 * Math.PI * (round + phase)) / period);
    for (const [i, [line, machine, sensor]] of MACHINES.entries()) {
      const value = Math.round((60 + 20 * i + 5 * wave(30, i * 7)) * 100) / 100;
      await publish(`plant/${line}/${machine}/temperature`, JSON.stringify({ sensor: { id: sensor }, reading: { value, unit: 'degC' }, ts: t / 1000 }));
      await publish(`plant/${line}/${machine}/counter`, String(round * (i + 1)));
    }
    for (const [i, line] of ['line1', 'line2'].entries()) {
      const env = { ts: t, t: Math.round((21 + 2 * wave(60, i * 11)) * 10) / 10, h: Math.round((40 + 10 * wave(90, i * 5)) * 10) / 10, door: round % 20 < 2 };
      await publish(`plant/${line}/env`, JSON.stringify(env));
    }
    await sparkplug(`NDATA/${node}`, [
      { alias: 1, type: 'UInt32', value: round },
      { alias: 2, type: 'Float', value: 45 + 3 * wave(40) },
    ]);
    await sparkplug(`DDATA/${node}/robot1`, [
      { alias: 10, type: 'Double', value: Math.round(90 * wave(12) * 100) / 100 },
      { alias: 11, type: 'Boolean', value: round % 4 < 2 },
      { alias: 13, type: 'UInt64', value: Math.floor(round / 4) },
    ]);
  };

  let closing: Promise<void> | undefined;
  const timer = setInterval(() => {
    running = running.then(tick).catch((err: unknown) => {
      process.stderr.write(`simulator: publish failed: ${(err as Error).message}\n`);
    });
  }, options.intervalMs ?? 1000);

  return {
    published: () => published,
    tick: () => {
      running = running.then(tick);
      return running;
    },
    close() {
      closing ??= (async () => {
        clearInterval(timer);
        // The goodbye (the round in flight, then NDEATH acknowledged) needs the broker; one that
        // is gone or going would keep both queued for ever, so the wait ends when the connection
        // does or after GOODBYE_MS, and the client is then closed without flushing.
        const goodbye = (async () => {
          await running;
          await publish(`${base}/NDEATH/${node}`, death, 1);
        })();
        const said = await whileConnected(client, goodbye, GOODBYE_MS);
        await client.endAsync(!said);
      })();
      return closing;
    },
  };
}
