import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** A serial-to-Ethernet converter in transparent mode, made by socat: bytes from a TCP client reach a pseudo-terminal and back. */
export interface SerialOverTcp {
  /** The port a client connects to (one client at a time, as such converters take). */
  port: number;
  /** The terminal a serial device (a server) opens. */
  path: string;
  close(): Promise<void>;
}

/**
 * Runs `socat -d -d pty,raw,echo=0,link=<dir>/tty tcp-listen:0,bind=127.0.0.1` and resolves once
 * socat says which port the OS gave it (by then the terminal exists).
 */
export async function startSerialOverTcp(dir: string): Promise<SerialOverTcp> {
  const path = join(dir, 'tty');
  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${path}`, 'tcp-listen:0,bind=127.0.0.1,reuseaddr'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stderr });
    lines.on('line', (line) => {
      const match = /listening on .*:(\d+)\s*$/.exec(line);
      if (match) resolve(Number(match[1]));
    });
    void exited.then((code) => reject(new Error(`socat exited with ${code} before listening`)));
  });
  // socat makes the terminal (its first address) before it listens (its second).
  if (!existsSync(path)) {
    child.kill('SIGTERM');
    throw new Error(`socat listens on ${port} but made no ${path}`);
  }
  return {
    port,
    path,
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
