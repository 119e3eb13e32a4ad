import { format } from 'node:util';

/**
 * The logger the client writes to: pino's (`logger.warn({ ... }, 'text')`) fits. Logs go to
 * stderr in the bridges, so stdout carries only data.
 */
export interface OpcuaLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Which of node-opcua's log hooks a message came through. */
export type OpcuaLogKind = 'error' | 'warning' | 'trace' | 'debug';

/** Longest node-opcua message copied into a log line, in characters. */
export const MAX_OPCUA_LOG_CHARS = 2000;

// chalk colours node-opcua's messages; a log line wants the text only.
const ANSI = /\u001b\[[0-9;]*m/g;

/** node-opcua's log arguments as one bounded line of plain text. */
export function formatOpcuaMessage(args: readonly unknown[]): string {
  let text: string;
  try {
    text = format(...args);
  } catch {
    // A value whose inspection throws still leaves the rest worth logging.
    text = args.map((a) => (typeof a === 'string' ? a : typeof a)).join(' ');
  }
  text = text.replace(ANSI, '').trim();
  return text.length > MAX_OPCUA_LOG_CHARS ? `${text.slice(0, MAX_OPCUA_LOG_CHARS)}... (${text.length} characters)` : text;
}

/** A node-opcua message that goes to `debug`: `text` from the file `file` through hook `kind` (any without). */
interface Demoted {
  file?: string;
  kind?: OpcuaLogKind;
  text: RegExp;
}

/**
 * Messages node-opcua prints that this package reports better itself, or that mislead: they
 * go to `debug`. W27 says Node 20 refuses RSA PKCS#1 v1.5 decryption, which only the deprecated
 * Basic128Rsa15 policy needs (the client warns when that policy is chosen). The certificate
 * lines come with a failed server certificate check, which the client explains with what to do.
 * The rest come with every reconnect, or every failed attempt of one: the optional server
 * capabilities it reads (absent on many servers), a channel the server closed or could not
 * decrypt, the steps of its reconnection; the bridge reports the loss, the refusal and the
 * outcome itself, once per episode. When a monitored node is gone, the bridge reports it and
 * deletes the item, and node-opcua calls the values still on their way for it unknown. A peer
 * that is not an OPC UA server sends bytes node-opcua reads as an oversized chunk, at every
 * attempt; the client says what the peer sent and what to check.
 */
const DEMOTED: readonly Demoted[] = [
  { text: /NODE-OPCUA-W27/ },
  { text: /security-revert=CVE-2023-46809/ },
  { text: /Creating default certificate/ },
  { text: /NODE-OPCUA-W25/ },
  { text: /^serverCertificate = / },
  { text: /^clientCertificateManager\.rootDir/ },
  { text: /^server certificate chain contains/ },
  { text: /^\[\d+\/\d+\] "/ },
  { text: /^(thumbprint|issuer|SKI|AKI|validity):/ },
  { text: /^verify that the server certificate is trusted/ },
  { file: 'read_operational_limits', text: /^dataValue = / },
  { file: 'message_builder_base', text: /^Error\s+\S+ Bad\w+/ },
  { file: 'client_base_impl', text: /^client = / },
  { file: 'client_base_impl', text: /^(the server certificate has changed|old server certificate|new server certificate|server certificate has not changed)/ },
  { file: 'client_base_impl', text: /^Fail to connect to server at \S+ to collect server's certificate/ },
  // A value that travelled while the bridge deleted its item (its node gone: reported by the bridge).
  { file: 'client_subscription_impl', text: /^Receiving a notification for a unknown monitoredItem/ },
  // Bytes that are not OPC UA (an HTTP or Modbus answer) read as a huge chunk; the client names the peer itself.
  { file: 'packet_assembler', text: /^maximum chunk size exceeded/ },
  // Its warnings say how a session was repaired; its errors (a repair that failed, and why) stay.
  { file: 'reconnection', kind: 'warning', text: /./ },
];

/** The pino level a node-opcua message is logged at; `file` is the node-opcua file that logged it. */
export function opcuaLogLevel(kind: OpcuaLogKind, text: string, file?: string): 'debug' | 'warn' | 'error' {
  if (kind === 'trace' || kind === 'debug') return 'debug';
  if (DEMOTED.some((d) => (d.file === undefined || d.file === file) && (d.kind === undefined || d.kind === kind) && d.text.test(text))) return 'debug';
  return kind === 'error' ? 'error' : 'warn';
}

/** A node-opcua log hook: `(context, ...args)` where context names the file that logged. */
export type OpcuaLogHook = (context: { filename?: string }, ...args: unknown[]) => void;

/** The four hooks that send node-opcua's messages to `target()` (read at each message, so it can change). */
export function makeLogHooks(target: () => OpcuaLogger | undefined): Record<OpcuaLogKind, OpcuaLogHook> {
  const hook =
    (kind: OpcuaLogKind): OpcuaLogHook =>
    (context, ...args) => {
      const logger = target();
      if (!logger) return;
      const text = formatOpcuaMessage(args);
      logger[opcuaLogLevel(kind, text, context?.filename)]({ opcua: context?.filename ?? 'node-opcua' }, text);
    };
  return { error: hook('error'), warning: hook('warning'), trace: hook('trace'), debug: hook('debug') };
}
