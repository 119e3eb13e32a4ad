import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** IFF_UP in an interface's flags (linux/if.h). */
const IFF_UP = 0x1;

/** Where Linux shows network interfaces (`<dir>/<name>/flags`). */
export const SYS_NET_DIR = '/sys/class/net';

/**
 * Whether a network interface is up (administratively: `ip link set can0 up`), from its flags;
 * undefined when they cannot be read (the interface does not exist, or this is not Linux).
 */
export async function interfaceIsUp(name: string, sysDir: string = SYS_NET_DIR): Promise<boolean | undefined> {
  try {
    return (parseInt(await readFile(join(sysDir, name, 'flags'), 'utf8'), 16) & IFF_UP) !== 0;
  } catch {
    return undefined;
  }
}
