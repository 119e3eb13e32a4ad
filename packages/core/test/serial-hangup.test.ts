import { existsSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { hangupAwareBinding } from '../src/kit.js';
import { startSerialPair, type SerialPair } from '../src/testing/index.js';

// Real ptys from socat: the far end going away hangs the near end up, as the kernel does for an
// unplugged USB adapter (reads return 0 bytes for ever after).
const binding = hangupAwareBinding(SerialPort.binding);
type PortBinding = Awaited<ReturnType<typeof binding.open>>;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function pair(): Promise<SerialPair> {
  const p = await startSerialPair();
  cleanups.push(() => p.close());
  return p;
}

async function openBinding(path: string): Promise<PortBinding> {
  const port = await binding.open({ path, baudRate: 57600 });
  cleanups.push(async () => (port.isOpen ? port.close() : undefined));
  return port;
}

async function openStream(path: string): Promise<SerialPort> {
  // SerialPort takes a `binding` in its options at run time; its type leaves it out.
  const port = new SerialPort({ path, baudRate: 57600, autoOpen: false, binding } as ConstructorParameters<typeof SerialPort>[0]);
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  cleanups.push(() => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())));
  return port;
}

describe('kit: a serial binding that notices a hang-up', () => {
  it('reads what arrives, then fails a read of a hung-up port instead of reading again for ever', async () => {
    const p = await pair();
    const near = await openBinding(p.a);
    const far = await openBinding(p.b);
    await far.write(Buffer.from('ping'));
    const buffer = Buffer.alloc(16);
    let got = 0;
    while (got < 4) got += (await near.read(buffer, got, 16 - got)).bytesRead;
    expect(buffer.subarray(0, got).toString()).toBe('ping');
    // socat exits: both pty masters close and the kernel hangs the near end up before the
    // process is reaped, so the read below sees a hung-up terminal.
    await p.close();
    await expect(near.read(buffer, 0, 16)).rejects.toThrow('the device went away (its port reads end of file: unplugged or hung up)');
  });

  it('a stream on it closes with a disconnect error when the other end goes away', async () => {
    const p = await pair();
    const near = await openStream(p.a);
    const closed = new Promise<Error | null>((resolve) => near.once('close', resolve));
    near.on('data', () => undefined);
    await p.close();
    // Depending on when the hang-up lands, the read sees end of file (the message above) or the
    // poller reports an error first: a disconnect either way.
    expect(await closed).toMatchObject({ disconnected: true });
    expect(near.isOpen).toBe(false);
  });

  it("the test pair's unplug() hangs the line up before it returns: the next write fails, the links are gone", async () => {
    const p = await pair();
    const near = await openBinding(p.a);
    p.unplug();
    expect([existsSync(p.a), existsSync(p.b)]).toEqual([false, false]);
    await expect(near.write(Buffer.from('ping'))).rejects.toMatchObject({ code: 'EIO' });
    await expect(near.read(Buffer.alloc(16), 0, 16)).rejects.toThrow('the device went away');
  });

  it('a port closed by its owner while a read waits closes quietly', async () => {
    const p = await pair();
    const near = await openStream(p.a);
    const closed = new Promise<Error | null>((resolve) => near.once('close', resolve));
    const errors: Error[] = [];
    near.on('error', (err) => errors.push(err));
    near.on('data', () => undefined);
    await new Promise<void>((resolve) => near.close(() => resolve()));
    expect(await closed).toBeNull();
    expect(errors).toEqual([]);
  });

  it('leaves a binding without a poller (another platform) as it is', async () => {
    const read = async () => ({ bytesRead: 0, buffer: Buffer.alloc(0) });
    const port = { read };
    const plain = hangupAwareBinding({ open: async () => port, list: async () => [] });
    expect(await plain.open()).toBe(port);
    expect(port.read).toBe(read);
    expect(await plain.list()).toEqual([]);
  });
});
