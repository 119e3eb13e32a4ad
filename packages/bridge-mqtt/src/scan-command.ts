import { durationOption, listenWindow, SCAN_DURATION, formatDuration, type BridgeCliIo, type BridgeCliOption } from '@fieldbridge/core/bridge';
import type { IClientOptions, MqttClient } from 'mqtt';
import { buildClientOptions, ownCleanSession } from './client-options.js';
import type { MqttConfig } from './config.js';
import { formatTopicScan } from './scan-format.js';
import { loadSparkplugCodec } from './sparkplug-codec.js';
import { parseTopicFilter } from './topic.js';
import { createTopicSurvey } from './topic-survey.js';

/** The options `bridge-mqtt` adds to look at the broker before writing `subscriptions:`. */
export const SCAN_OPTIONS: BridgeCliOption[] = [
  {
    flags: '--scan [duration]',
    inspects: true,
    description:
      'subscribe for DURATION (default 10s; Ctrl-C ends it early, with the list) with the mapping\'s connection and list every topic heard: messages, retained, format, the values of its last payload and the subscription that maps it, then subscriptions: entries for the topics not mapped yet; then exit',
  },
  { flags: '--scan-topic <filter>', description: 'with --scan: the topic filter to listen to (default #; $SYS/# for the broker\'s own)' },
];

/** How the scan connects: mqtt.js's `connectAsync`, imported on first use; tests may give another. */
export type ScanConnect = (url: string, options: IClientOptions) => Promise<MqttClient>;

async function mqttConnect(url: string, options: IClientOptions): Promise<MqttClient> {
  const { connectAsync } = await import('mqtt');
  return connectAsync(url, options);
}

/**
 * `--scan [duration] [--scan-topic filter]`: one connection with the mapping's broker, login and
 * TLS, under a client id of its own and a clean session (a running bridge's session is left
 * alone), subscribed at QoS 0 for the duration; what it heard printed by `formatTopicScan`.
 * Needs no `subscriptions:` (it is how a user writes them). Resolves with the exit code (0; 1
 * when the broker cannot be reached or refuses; 2 for a wrong option), or undefined without
 * `--scan`.
 */
export async function handleScan(options: Record<string, unknown>, config: MqttConfig, io: BridgeCliIo, connect: ScanConnect = mqttConnect): Promise<number | undefined> {
  if (options.scan === undefined) {
    if (options.scanTopic !== undefined) {
      io.stderr.write('--scan-topic goes with --scan\n');
      return 2;
    }
    return undefined;
  }
  const duration = durationOption(options.scan, SCAN_DURATION);
  if (!duration.ok) {
    io.stderr.write(`${duration.message}\n`);
    return 2;
  }
  const ms = duration.ms;
  const filter = typeof options.scanTopic === 'string' ? options.scanTopic : '#';
  const parsedFilter = parseTopicFilter(filter);
  if (!parsedFilter.ok || parsedFilter.filter.shareGroup !== undefined) {
    io.stderr.write(`--scan-topic ${filter}: ${parsedFilter.ok ? 'a scan listens on its own, not in a shared subscription' : parsedFilter.message}\n`);
    return 2;
  }
  let client: MqttClient | undefined;
  try {
    const { url, ...clientOptions } = buildClientOptions(config);
    // Its own client id and a clean session: a bridge running with the mapping keeps its session.
    const scanOptions = ownCleanSession(clientOptions, 'scan');
    const survey = createTopicSurvey({
      subscriptions: config.subscriptions.map((s) => ({ name: s.name ?? s.topic, topic: s.topic })),
      sparkplug: await loadSparkplugCodec(),
    });
    client = await connect(url, scanOptions);
    client.on('message', (topic, payload, packet) => survey.message(topic, payload, packet.retain));
    const granted = await client.subscribeAsync(filter, { qos: 0 });
    const refused = granted.find((g) => g.qos >= 0x80);
    if (refused) throw new Error(`the broker refused the subscription to ${filter} (reason code 0x${refused.qos.toString(16)})`);
    const window = await listenWindow(ms, { started: () => io.logger.info(`listening on ${filter} for ${formatDuration(ms)}`) });
    io.stdout.write(formatTopicScan(survey.result(), `on ${url} below ${filter} in ${window.text}`));
    return 0;
  } catch (err) {
    io.stderr.write(`bridge-mqtt --scan: ${config.url}: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await client?.endAsync(true).catch(() => undefined);
  }
}
