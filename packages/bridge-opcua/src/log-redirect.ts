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

/**
 * Messages node-opcua prints that this package reports better itself, or that mislead: they
 * go to `debug`. W27 says Node 20 refuses RSA PKCS#1 v1.5 decryption, which only the deprecated
 * Basic128Rsa15 policy needs (the client warns when that policy is chosen). The certificate
 * lines come with a failed server certificate check, which the client explains with what to do.
 */
const DEMOTED = [
  /NODE-OPCUA-W27/,
  /security-revert=CVE-2023-46809/,
  /Creating default certificate/,
  /NODE-OPCUA-W25/,
  /^serverCertificate = /,
  /^clientCertificateManager\.rootDir/,
  /^server certificate chain contains/,
  /^\[\d+\/\d+\] "/,
  /^(thumbprint|issuer|SKI|AKI|validity):/,
  /^verify that the server certificate is trusted/,
];

/** The pino level a node-opcua message is logged at. */
export function opcuaLogLevel(kind: OpcuaLogKind, text: string): 'debug' | 'warn' | 'error' {
  if (kind === 'trace' || kind === 'debug') return 'debug';
  if (DEMOTED.some((pattern) => pattern.test(text))) return 'debug';
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
      logger[opcuaLogLevel(kind, text)]({ opcua: context?.filename ?? 'node-opcua' }, text);
    };
  return { error: hook('error'), warning: hook('warning'), trace: hook('trace'), debug: hook('debug') };
}
