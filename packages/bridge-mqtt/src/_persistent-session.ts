import type { BridgeContext, Outage } from '@fieldbridge/core/bridge';
import type { IClientOptions } from 'mqtt';
import type { MqttMetrics } from './_metrics.js';
import { SHORT_CLOSES_IN_A_ROW, type Takeover } from './_takeover.js';

/** Persistent sessions (broker and client id) whose filters a process remembers across reloads. */
const MAX_SESSIONS_KEPT = 16;

/** What a process knows of a persistent session (see {@link persistentSession}). */
export interface KnownSession {
  /** The topic filters it subscribed in the session. */
  filters: Set<string>;
  /** A connection of this process was accepted in it. */
  connected: boolean;
}

/**
 * What this process knows of a persistent session at the broker, kept across reloads per broker
 * and client id (at most {@link MAX_SESSIONS_KEPT}): the filters it subscribed, so a reload
 * unsubscribes what its mapping dropped, and whether it connected before, so a later connect
 * without the session is known for a loss rather than a first start. Undefined for a clean
 * session, which holds nothing past its connection.
 */
export function persistentSession(ctx: BridgeContext, clientOptions: IClientOptions & { url: string }): KnownSession | undefined {
  if (clientOptions.clean !== false) return undefined;
  const sessions = ctx.acrossReloads('sessions', () => new Map<string, KnownSession>());
  const key = `${clientOptions.url} ${clientOptions.clientId}`;
  const known = sessions.get(key) ?? { filters: new Set<string>(), connected: false };
  sessions.delete(key);
  sessions.set(key, known);
  for (const old of sessions.keys()) if (sessions.size > MAX_SESSIONS_KEPT) sessions.delete(old);
  return known;
}

/** The broker `where` answered a reconnect of a persistent session without it: what it queued meanwhile is gone. */
export function sessionLost(ctx: BridgeContext, metrics: MqttMetrics, where: string, clientId: string | undefined): void {
  metrics.sessionsLost.inc();
  ctx.logger.warn(
    { broker: where, clientId },
    `${where}: the broker did not keep the session: messages published while disconnected may be lost; check the broker's persistence (client id ${clientId}, clean: false; mosquitto: persistence true, and a session expiry longer than the outage)`,
  );
}

/** Another client connects to `where` with this client id, and the broker hands it the session in turn: an episode of `takenOver`. */
export function sessionTakenOver(metrics: MqttMetrics, takenOver: Outage, where: string, clientId: string | undefined, evidence: Takeover): void {
  metrics.sessionsTakenOver.inc(!evidence.said && evidence.inARow === SHORT_CLOSES_IN_A_ROW ? evidence.inARow : 1);
  const why = evidence.said
    ? 'the broker closed the connection because another client connected with the same client id (MQTT 5 reason code 0x8E, session taken over)'
    : `the broker closed ${evidence.inARow} working connections in a row soon after accepting them, without a reason: most likely another client connects with the same client id, and the broker closes the older connection each time (if none does, the broker's log says why it closes them)`;
  takenOver.failed(
    `${where}: ${why}. Client id ${clientId}: two clients with one id kick each other off in turn, and a persistent session's queued messages go to whichever holds it; give each bridge, replica and other client its own client_id (e.g. client_id: \${MQTT_CLIENT_ID}, set per host; \${HOSTNAME} only in a container: a shell does not export it and a systemd service does not have it, so it reads as empty)`,
    { broker: where, clientId },
  );
}
