import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** IFF_UP in an interface's flags (linux/if.h). */
const IFF_UP = 0x1;

/** Where Linux shows network interfaces (`<dir>/<name>/flags`). */
export const SYS_NET_DIR = '/sys/class/net';

/**
 * Whether a network interface is up (administratively: `ip link set can0 up`), from its flags;
 * undefined when they cannot be read (the interface does not exist, or this is not Linux) or
 * are not a number.
 */
export async function interfaceIsUp(name: string, sysDir: string = SYS_NET_DIR): Promise<boolean | undefined> {
  try {
    const flags = parseInt(await readFile(join(sysDir, name, 'flags'), 'utf8'), 16);
    return Number.isInteger(flags) ? (flags & IFF_UP) !== 0 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An interface's index (`<sysDir>/<name>/ifindex`): the kernel gives each interface a new one
 * when it is made, so an interface deleted and added again under the same name has another.
 * Undefined when it cannot be read (the interface does not exist, or this is not Linux).
 */
export async function interfaceIndex(name: string, sysDir: string = SYS_NET_DIR): Promise<number | undefined> {
  try {
    const index = parseInt(await readFile(join(sysDir, name, 'ifindex'), 'utf8'), 10);
    return Number.isInteger(index) ? index : undefined;
  } catch {
    return undefined;
  }
}
