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
      const opcua = await import('node-opcua');
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
