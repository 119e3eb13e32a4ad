import { parseMapping, startBridge } from '@fieldbridge/core';
import { createCollectingSink, trackCleanups, until } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { silentItemsWhy } from '../src/_silent-why.js';
import { opcuaBridge } from '../src/bridge.js';
import type { OpcuaTestServer } from '../src/server.js';
import { createCleanup } from './helpers/cleanup.js';
import { pinoCapture } from './helpers/logger.js';
import { nsu, serverForFile } from './helpers/servers.js';

// `--once` under the core's runtime, connected to a server that monitors none of the mapping's
// items: the warning says which items and why, where it said only that nothing came.
const files = createCleanup();
const track = trackCleanups();
let server: OpcuaTestServer;

serverForFile(files, (s) => (server = s));

describe('--once connected, with every item refused or not found', () => {
  it('names each item and why in its warning', async () => {
    const { sink } = createCollectingSink({ sourceId: 'once' });
    track.defer(() => sink.close());
    const { logger, lines } = pinoCapture('warn');
    const text = `source_id: once
opcua:
  endpoint: ${server.endpointUrl}
  publishing_interval_ms: 20ms
  retry_refused_ms: 5m
  nodes:
    - { metric: boiler.late, node_id: '${nsu('Boiler.Late')}' }
    - { metric: boiler.gone, browse_path: Boiler/Gone }
`;
    const running = track.add(await startBridge(opcuaBridge, parseMapping(text, 'once.yaml', opcuaBridge, {}), { sink, logger }), (r) => r.stop());
    // The items' states are taken before the channel turns connected: once ready, both are known.
    await until(() => running.readiness().ready, 'connected');
    expect(await running.once(100)).toEqual({ silent: [server.endpointUrl] });
    const warning = lines.find((l) => l.msg.startsWith('--once:'))?.msg;
    expect(warning).toMatch(new RegExp(`^--once: nothing within 100 ms on ${server.endpointUrl.replaceAll('.', '\\.')} \\(connected, but the server monitors none of its 2 items: `));
    expect(warning).toContain(`boiler.late: the server refused ${nsu('Boiler.Late')} (BadNodeIdUnknown); `);
    expect(warning).toContain('boiler.gone: browse path Boiler/Gone: Boiler has no child named Gone (it has ');
    expect(warning).toMatch(/\. The problems logged above say what to change; they are tried again every 5m\)$/);
  });

  it('names at most three, counts the rest, and says when some items are monitored but gave nothing', () => {
    const refused = (key: string) => ({ key, kind: 'value' as const, label: `ns=2;s=${key}`, state: 'refused' as const, message: 'BadNodeIdUnknown' });
    const items = [refused('a'), refused('b'), refused('c'), refused('d'), { key: 'e', kind: 'value' as const, label: 'E', state: 'active' as const }];
    expect(silentItemsWhy(items, 60_000)).toBe(
      '4 of its 5 items are not monitored, and the 1 monitored gave no point: a: the server refused ns=2;s=a (BadNodeIdUnknown); ' +
        'b: the server refused ns=2;s=b (BadNodeIdUnknown); c: the server refused ns=2;s=c (BadNodeIdUnknown); and 1 more. ' +
        'The problems logged above say what to change; they are tried again every 1m',
    );
    expect(silentItemsWhy(items.slice(4), 60_000)).toBeUndefined();
  });
});
