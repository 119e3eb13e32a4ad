import { describe, expect, it } from 'vitest';
import { ConfigError, createSink, parseMapping, sinkOptionsFromConfig } from '../src/index.js';
import { counterBridge } from './fixtures/counter-bridge.js';

const mapping = (websocket: string) => `source_id: plant-a
sink:
  url: wss://gateway.example.com/ws/device
  buffer: { path: ./buf }
${websocket}counter:
  channels: [{ name: a, metric: line1.a }]
`;

describe('sink.websocket in mapping files', () => {
  it('maps seconds to ms, sizes to bytes, and keeps state_path as written', () => {
    const config = parseMapping(
      mapping('  websocket: { heartbeat_s: 15, time_sync_interval_s: 120, ack_timeout_ms: 4000, max_frame_bytes: 512KiB, state_path: ./state }\n'),
      '/etc/fb/map.yaml',
      counterBridge,
    );
    expect(sinkOptionsFromConfig(config).websocket).toEqual({
      heartbeatMs: 15_000,
      timeSyncIntervalMs: 120_000,
      ackTimeoutMs: 4000,
      maxFrameBytes: 512 * 1024,
      statePath: './state',
    });
  });

  it('refuses unknown keys with their location', () => {
    let issues: ConfigError['issues'] = [];
    try {
      parseMapping(mapping('  websocket: { heartbeat: 15 }\n'), 'map.yaml', counterBridge);
    } catch (err) {
      issues = (err as ConfigError).issues;
    }
    expect(issues[0]).toMatchObject({ line: 5, path: 'sink.websocket.heartbeat', message: 'unknown key (did you mean heartbeat_s?)' });
  });

  it('createSink checks the WebSocket options once', () => {
    const base = { url: 'ws://127.0.0.1:9/ws/device', sourceId: 'x' };
    expect(() => createSink({ ...base, websocket: { heartbeatMs: 0 } })).toThrow(/websocket\.heartbeatMs must be > 0/);
    expect(() => createSink({ ...base, websocket: { maxFrameBytes: 10 } })).toThrow(/maxFrameBytes must be at least 1 KiB/);
    expect(() => createSink({ ...base, session: '' })).toThrow(/session must be a string/);
  });
});
