import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isCanBridgeError, kernelFilter, openSocketCan, type CanBridgeErrorCode } from '../src/index.js';

// What the reader says on a machine without SocketCAN (these test machines: no AF_CAN in the
// host kernel); the real reading is tested inside User-Mode Linux (socketcan-uml.test.ts).
const rejectsWith = async (promise: Promise<unknown>, code: CanBridgeErrorCode, text: RegExp): Promise<void> => {
  await expect(promise).rejects.toSatisfy((err: unknown) => isCanBridgeError(err, code) && text.test(err.message));
};

describe('openSocketCan without SocketCAN', () => {
  it('loads the socketcan package lazily and names the missing interface with the command that makes one', async () => {
    await rejectsWith(openSocketCan({ interface: 'vcan7', onFrame: () => undefined, receiveBuffer: false }), 'INTERFACE_NOT_FOUND', /no network interface vcan7: .*ip link add vcan7 type vcan/);
  });

  it.runIf(!existsSync('/proc/net/can'))('says the kernel has no SocketCAN when a socket cannot be made', async () => {
    await rejectsWith(openSocketCan({ interface: 'lo', onFrame: () => undefined, receiveBuffer: false }), 'SOCKETCAN_UNAVAILABLE', /this kernel has no SocketCAN \(no AF_CAN\): load it with modprobe can_raw/);
  });

  it('explains a socketcan package that cannot be loaded', async () => {
    const loadModule = () => Promise.reject(new Error('Cannot find module build/Release/can.node'));
    await rejectsWith(openSocketCan({ interface: 'lo', onFrame: () => undefined, receiveBuffer: false, loadModule }), 'SOCKETCAN_UNAVAILABLE', /could not be loaded \(Cannot find module .*\); it builds a native addon/);
  });

  it('refuses names that are not interface names, and filters outside their id width', async () => {
    await rejectsWith(openSocketCan({ interface: 'can0; reboot', onFrame: () => undefined }), 'INTERFACE_NOT_FOUND', /is not a network interface name/);
    await expect(openSocketCan({ interface: 'lo', onFrame: () => undefined, filters: [{ id: 0x800 }] })).rejects.toThrow(/filter id 2048 is not a 11-bit id/);
  });

  it('gives the kernel filters with the extended-frame flag in the mask', () => {
    expect(kernelFilter({ id: 0x123 })).toEqual({ id: 0x123, mask: 0x800007ff, invert: false });
    expect(kernelFilter({ id: 0x100, mask: 0x700, invert: true })).toEqual({ id: 0x100, mask: 0x80000700, invert: true });
    expect(kernelFilter({ id: 0x18fec1ee, extended: true })).toEqual({ id: 0x98fec1ee, mask: 0x9fffffff, invert: false });
    expect(() => kernelFilter({ id: 1, mask: 0x1000 })).toThrow(/mask 4096 is not within 11 bits/);
  });
});
