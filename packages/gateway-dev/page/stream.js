// @ts-check
// The connection to the gateway's event stream. EventSource reconnects by itself and sends
// Last-Event-ID, so the gateway replays what was missed; this module checks that ids follow on
// (a gap or a repeat would mean a wrong page) and keeps the counts the page shows.
import { withKey } from './key.js';

/**
 * @typedef {object} StreamStatus
 * @property {'connecting' | 'live' | 'reconnecting'} state
 * @property {number | undefined} lastId id of the last event applied
 * @property {number} events events applied
 * @property {number} snapshots snapshots applied (the first one, then one per reset or a client too far behind)
 * @property {number} reconnects connections after the first
 * @property {number} resumes reconnects that carried on with the next event, no snapshot needed
 * @property {number} gaps ids that skipped ahead (the page then asked for a fresh snapshot)
 * @property {number} duplicates events seen twice (ignored)
 */

/**
 * @typedef {object} StreamHandlers
 * @property {(data: any, id: number) => void} snapshot
 * @property {(data: any, id: number) => void} update
 * @property {(status: StreamStatus) => void} status
 */

/** How long to wait before opening a new connection when the browser gave up on one. */
const REOPEN_MS = 2000;

/**
 * Opens the stream at `url` and keeps it open.
 * @param {string} url
 * @param {StreamHandlers} on
 */
export function openStream(url, on) {
  /** @type {StreamStatus} */
  const status = { state: 'connecting', lastId: undefined, events: 0, snapshots: 0, reconnects: 0, resumes: 0, gaps: 0, duplicates: 0 };
  /** @type {EventSource | undefined} */
  let source;
  let opened = 0;
  /** True until the first event after a reconnect says whether it resumed. */
  let judging = false;

  const tell = () => on.status({ ...status });

  /** @param {boolean} resume */
  const open = (resume) => {
    source?.close();
    const query = resume && status.lastId !== undefined ? `?lastEventId=${status.lastId}` : '';
    const es = new EventSource(withKey(url + query));
    source = es;
    es.addEventListener('open', () => {
      opened += 1;
      if (opened > 1) {
        status.reconnects += 1;
        judging = true;
      }
      status.state = 'live';
      tell();
    });
    es.addEventListener('error', () => {
      status.state = 'reconnecting';
      tell();
      // The browser retries by itself unless the answer was not a stream (a 503, say).
      if (es.readyState === EventSource.CLOSED) setTimeout(() => source === es && open(true), REOPEN_MS);
    });
    es.addEventListener('snapshot', (e) => {
      judging = false;
      status.lastId = Number(e.lastEventId);
      status.snapshots += 1;
      status.events += 1;
      on.snapshot(JSON.parse(e.data), status.lastId);
      tell();
    });
    es.addEventListener('update', (e) => {
      const id = Number(e.lastEventId);
      if (status.lastId !== undefined && id <= status.lastId) {
        status.duplicates += 1;
        tell();
        return;
      }
      if (status.lastId === undefined || id !== status.lastId + 1) {
        status.gaps += 1;
        tell();
        open(false);
        return;
      }
      if (judging) {
        judging = false;
        status.resumes += 1;
      }
      status.lastId = id;
      status.events += 1;
      on.update(JSON.parse(e.data), id);
      tell();
    });
  };

  open(false);
  return {
    status: () => ({ ...status }),
    close: () => source?.close(),
  };
}
