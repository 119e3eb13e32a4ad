import { createServer, type AddressInfo } from 'node:net';

/**
 * A port the OS just handed out and nothing listens on any more: a connection to it is refused,
 * so a request sent there is never processed by anyone (unlike one a test server drops, whose
 * bytes may already have been read when the client gives up).
 */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
