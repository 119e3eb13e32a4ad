/** MQTT 5 DISCONNECT reason code: another client connected with the same client id. */
export const SESSION_TAKEN_OVER = 0x8e;

/** Connections in a row closed soon after being accepted, without a reason, that read as a takeover (MQTT 3.1.1, or a broker that gives no reason code). */
export const SHORT_CLOSES_IN_A_ROW = 3;

/** What made a close read as another client taking the session over. */
export interface Takeover {
  /** The broker said so (MQTT 5 reason code 0x8E); false when only the pattern of short connections says it. */
  said: boolean;
  /** Connections closed that way in a row, this one included. */
  inARow: number;
}

/**
 * Spots another client connecting with the bridge's client id: the broker then closes the older
 * connection, each side reconnects and closes the other's in turn. MQTT 5 brokers may say so
 * (DISCONNECT with reason code 0x8E, "session taken over"); MQTT 3.1.1 cannot, and some MQTT 5
 * brokers do not (mosquitto 2.0.11 closes without a DISCONNECT): there it is
 * {@link SHORT_CLOSES_IN_A_ROW} connections in a row that were working (accepted, their
 * subscriptions answered) when the broker closed them, with no error on our side, before they had
 * lasted `shortMs`. A broker that closes a connection before it works (an ACL that refuses the
 * client once connected) does not make that pattern.
 */
export interface TakeoverWatch {
  /** A connection was accepted (CONNACK). */
  connected(): void;
  /** An attempt failed before the broker accepted it: another kind of trouble, the run starts over. */
  failed(): void;
  /**
   * The connection that was up closed. `reasonCode` is the broker's MQTT 5 DISCONNECT reason,
   * when it sent one; `troubled` is true when the connection was not a working one that the
   * broker closed: the socket or mqtt.js reported an error (a reset, a keep-alive timeout), or a
   * SUBSCRIBE was still unanswered. Returns the evidence when this close reads as a takeover.
   */
  closed(reasonCode: number | undefined, troubled: boolean): Takeover | undefined;
}

/** Creates a {@link TakeoverWatch}; `now` is a monotonic clock in ms (default `performance.now()`). */
export function createTakeoverWatch(shortMs: number, now: () => number = () => performance.now()): TakeoverWatch {
  let upSince: number | undefined;
  let inARow = 0;
  return {
    connected() {
      upSince = now();
    },
    failed() {
      upSince = undefined;
      inARow = 0;
    },
    closed(reasonCode, troubled) {
      const lastedMs = upSince === undefined ? Infinity : now() - upSince;
      upSince = undefined;
      if (reasonCode === SESSION_TAKEN_OVER) {
        inARow += 1;
        return { said: true, inARow };
      }
      if (troubled || reasonCode !== undefined || lastedMs >= shortMs) {
        inARow = 0;
        return undefined;
      }
      inARow += 1;
      return inARow >= SHORT_CLOSES_IN_A_ROW ? { said: false, inARow } : undefined;
    },
  };
}
