import { connect } from 'node:net';

/**
 * What the peer at an endpoint did with an OPC UA Hello: answered as OPC UA (`ACK` or `ERR`),
 * answered with other bytes (`sent` says what), closed without a word, or something else
 * (silent, unreachable, stopped), about which the probe has nothing to say.
 */
export type PeerAnswer = { kind: 'opcua' } | { kind: 'other'; sent: string } | { kind: 'closed' } | { kind: 'unknown' };

/** Bytes of the answer looked at. */
const MAX_ANSWER_BYTES = 256;
/** Characters of the answer copied into a message. */
const MAX_SHOWN_CHARS = 80;

/**
 * Sends an OPC UA Hello to `host:port` on a connection of its own and reads what comes back,
 * within `timeoutMs`: node-opcua's error for a peer that sent bytes it cannot read as a chunk,
 * or closed, names neither, so a failed first contact is asked again this way. Never rejects.
 */
export function probePeer(host: string, port: number, endpointUrl: string, timeoutMs: number, signal?: AbortSignal): Promise<PeerAnswer> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (answer: PeerAnswer): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(answer);
    };
    const judge = (): void => done(size === 0 ? { kind: 'closed' } : judgeAnswer(Buffer.concat(chunks)));
    const onAbort = (): void => done({ kind: 'unknown' });
    const timer = setTimeout(() => (size === 0 ? done({ kind: 'unknown' }) : judge()), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('connect', () => socket.write(hello(endpointUrl)));
    socket.on('data', (data: Buffer) => {
      chunks.push(data);
      size += data.length;
      // Four bytes tell OPC UA from the rest; what came with them is enough to show.
      if (size >= 4) judge();
    });
    socket.on('end', judge);
    // Before any byte, a reset or an unreachable host says nothing about what the peer speaks.
    socket.on('error', () => (size === 0 ? done({ kind: 'unknown' }) : judge()));
  });
}

/** An OPC UA Hello message (Part 6, 7.1.2.3), with the limits node-opcua's client asks for. */
function hello(endpointUrl: string): Buffer {
  const url = Buffer.from(endpointUrl, 'utf8');
  const message = Buffer.alloc(32 + url.length);
  message.write('HELF', 0, 'ascii');
  message.writeUInt32LE(message.length, 4);
  message.writeUInt32LE(0, 8); // protocol version
  message.writeUInt32LE(65_535, 12); // receive buffer size
  message.writeUInt32LE(65_535, 16); // send buffer size
  message.writeUInt32LE(0, 20); // max message size: no limit
  message.writeUInt32LE(0, 24); // max chunk count: no limit
  message.writeInt32LE(url.length, 28);
  url.copy(message, 32);
  return message;
}

function isOpcua(bytes: Buffer): boolean {
  return /^(ACK|ERR)[F]$/.test(bytes.subarray(0, 4).toString('latin1'));
}

/** Judges the first bytes a peer sent after a Hello. Pure. */
export function judgeAnswer(bytes: Buffer): PeerAnswer {
  if (isOpcua(bytes)) return { kind: 'opcua' };
  const text = bytes.subarray(0, MAX_ANSWER_BYTES).toString('latin1');
  const firstLine = text.split(/\r?\n/)[0]!;
  if (/^HTTP\/\d/.test(text)) return { kind: 'other', sent: `an HTTP response: "${shown(firstLine)}"` };
  if (/^[\x20-\x7e\t]+$/.test(firstLine) && firstLine.length >= 3) return { kind: 'other', sent: `text: "${shown(firstLine)}"` };
  const hex = [...bytes.subarray(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return { kind: 'other', sent: `${bytes.length} bytes: ${hex}${bytes.length > 16 ? ' ...' : ''}` };
}

function shown(line: string): string {
  return line.length > MAX_SHOWN_CHARS ? `${line.slice(0, MAX_SHOWN_CHARS)}...` : line;
}
