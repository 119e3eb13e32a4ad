import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { makeDirs } from '../shared/make-dirs.js';

/** Who this bridge is to the server: a stable install id and the source id to ask for. */
export interface DeviceIdentity {
  readonly installId: string;
  /** The source id to send in `device_auth`: the one the server assigned last, if any. */
  sourceId(): string;
  /** Adopts the source id the server returned, and persists it with the install id. */
  adopt(sourceId: string): void;
  /** The file it lives in; undefined when kept in memory only. */
  readonly path: string | undefined;
}

interface StateFile {
  install_id: string;
  /** The configured source id the assignment answers; a new configured id starts over. */
  requested_source_id: string;
  source_id: string;
}

/** Name of the state file inside the state directory. */
export const DEVICE_STATE_FILE = 'device.json';

/**
 * Loads (or creates) the device identity in `dir/device.json`, next to the spool. Without a
 * directory the identity lives in memory: a restart then looks like a new install to the
 * server, which is logged once. A file that cannot be read or written is logged, never fatal.
 * `readOnly`: the file's identity is used, never written (a second process speaking for the
 * install, `fieldbridge resend`, leaves the file to the bridge); without a file, one in memory.
 */
export function loadDeviceIdentity(dir: string | undefined, configuredSourceId: string, logger: Logger, readOnly = false): DeviceIdentity {
  const path = dir === undefined ? undefined : join(dir, DEVICE_STATE_FILE);
  let state: StateFile = { install_id: randomUUID(), requested_source_id: configuredSourceId, source_id: configuredSourceId };
  if (readOnly) {
    const loaded = path === undefined ? undefined : read(path, logger);
    if (loaded?.requested_source_id === configuredSourceId) state = loaded;
  } else if (path === undefined) {
    logger.warn(
      { install_id: state.install_id },
      'WebSocket sink: no state directory (sink.buffer.path or sink.websocket.state_path), so install_id and the source_id the server assigns are kept in memory only; after a restart the server sees a new install',
    );
  } else {
    const loaded = read(path, logger);
    if (loaded) {
      const sameRequest = loaded.requested_source_id === configuredSourceId;
      state = { ...loaded, requested_source_id: configuredSourceId, source_id: sameRequest ? loaded.source_id : configuredSourceId };
      if (!sameRequest) logger.info({ was: loaded.requested_source_id, now: configuredSourceId }, 'source_id changed in the configuration; asking the server for the new one');
    }
    write(path, state, logger);
  }
  return {
    installId: state.install_id,
    sourceId: () => state.source_id,
    path,
    adopt(sourceId) {
      if (sourceId === state.source_id) return;
      logger.info({ requested: state.source_id, assigned: sourceId }, `the server assigned source_id ${sourceId}; using it from now on`);
      state = { ...state, source_id: sourceId };
      if (path !== undefined && !readOnly) write(path, state, logger);
    },
  };
}

function read(path: string, logger: Logger): StateFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') logger.error({ err, path }, 'cannot read the device state file; starting as a new install');
    return undefined;
  }
  try {
    const value = JSON.parse(text) as Partial<StateFile>;
    if (typeof value.install_id === 'string' && typeof value.source_id === 'string' && typeof value.requested_source_id === 'string') {
      return value as StateFile;
    }
  } catch (err) {
    logger.error({ err, path }, 'the device state file is not valid JSON; starting as a new install');
    return undefined;
  }
  logger.error({ path }, 'the device state file lacks install_id or source_id; starting as a new install');
  return undefined;
}

function write(path: string, state: StateFile, logger: Logger): void {
  try {
    makeDirs(join(path, '..'), 0o700);
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, path);
  } catch (err) {
    logger.error({ err, path }, 'cannot write the device state file; the identity is kept in memory for this run');
  }
}
