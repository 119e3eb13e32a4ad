import { createRequire } from 'node:module';
import { OpcuaBridgeError, messageOf } from './errors.js';
import { makeLogHooks, type OpcuaLogger } from './log-redirect.js';

/** The node-opcua module, as this package uses it. */
export type OpcuaModule = typeof import('node-opcua');

interface DebugModule {
  setWarningLogger?: (hook: unknown) => void;
  setErrorLogger?: (hook: unknown) => void;
  setTraceLogger?: (hook: unknown) => void;
  setDebugLogger?: (hook: unknown) => void;
}

let current: OpcuaLogger | undefined;
// What OPENSSL_CONF was before node-opcua ran (see restoreOpensslConf).
const opensslConfBefore = process.env.OPENSSL_CONF;
let loading: Promise<OpcuaModule> | undefined;
const hooks = makeLogHooks(() => current);

// node-opcua re-exports only some of node-opcua-debug's setters: install what each module has.
function install(debug: DebugModule): void {
  debug.setWarningLogger?.(hooks.warning);
  debug.setErrorLogger?.(hooks.error);
  debug.setTraceLogger?.(hooks.trace);
  debug.setDebugLogger?.(hooks.debug);
}

const require = createRequire(import.meta.url);

/**
 * Requires node-opcua without the diagnostic node-opcua-secure-channel 2.182 starts at every
 * load on Node 20 and 21: a 4096-bit RSA key generated, then a PKCS#1 v1.5 round trip tried with
 * it, 0.7-2.7 s of CPU on these machines (more on a small gateway) whose only outcome is warning
 * W27, which this package demotes to debug (the client says itself what the deprecated
 * Basic128Rsa15 policy, the one that needs PKCS#1 v1.5, requires). The diagnostic skips itself
 * on Node 22 and later: while node-opcua's modules are first evaluated (synchronously, no other
 * code runs meanwhile), `process.version` reads as a Node 22 version; it is restored at once.
 * Only two readers look at it then (checked): that diagnostic and node-opcua's own `>=16.7`.
 */
function requireWithoutSelfTest(): OpcuaModule {
  const major = Number(/^v(\d+)\./.exec(process.version)?.[1]);
  const own = Object.getOwnPropertyDescriptor(process, 'version');
  if ((major !== 20 && major !== 21) || own === undefined || !own.configurable) return require('node-opcua') as OpcuaModule;
  Object.defineProperty(process, 'version', { ...own, value: 'v22.0.0' });
  try {
    return require('node-opcua') as OpcuaModule;
  } finally {
    Object.defineProperty(process, 'version', own);
  }
}

/**
 * Loads node-opcua (1-4 s and about 110 MB the first time, so only when a client starts) with
 * its log output sent to `logger` instead of stdout. The hooks are installed through
 * node-opcua-debug before node-opcua itself loads, so nothing it prints while loading reaches
 * stdout, and again through node-opcua's own exports in case the two ever stop being one module.
 * node-opcua's hooks are process-wide: the logger of the latest call receives its messages.
 * Rejects with `LOAD_FAILED`.
 */
export async function loadOpcua(logger: OpcuaLogger): Promise<OpcuaModule> {
  current = logger;
  loading ??= (async () => {
    try {
      install((await import('node-opcua-debug')) as unknown as DebugModule);
      const opcua = requireWithoutSelfTest();
      install(opcua as unknown as DebugModule);
      return opcua;
    } catch (err) {
      loading = undefined;
      throw new OpcuaBridgeError('LOAD_FAILED', `cannot load node-opcua: ${messageOf(err)} (is the package installed? run npm install)`, { cause: err });
    }
  })();
  return loading;
}

/**
 * Puts OPENSSL_CONF back as it was before node-opcua ran. node-opcua-crypto 5.10 sets it to
 * /dev/null around each private-key read and then assigns the old value back, which for an unset
 * variable stores the text "undefined": every openssl the process starts afterwards then fails
 * to open a file named "undefined". Called after each step that reads keys (PKI, connect, server start).
 */
export function restoreOpensslConf(): void {
  if (process.env.OPENSSL_CONF === opensslConfBefore) return;
  if (opensslConfBefore === undefined) delete process.env.OPENSSL_CONF;
  else process.env.OPENSSL_CONF = opensslConfBefore;
}
