import type { Server } from 'node:http';

/**
 * What one address, and everyone together, may hold open on the page's
 * listeners (found from outside: 20,000 idle sockets from many addresses used
 * up every open file, and the broker's logins with them). A guard's tablet
 * needs a few: the page, its API calls and at most 8 live feeds.
 */
const CONNECTION_LIMITS = {
  // Generous per address: a client whose refused requests close their sockets reconnects faster than the server
  // sees the old ones close, and a NAT'd LAN may put several tablets behind one address.
  perHost: 128,
  total: 1024,
  /** The request head must arrive within this; a trickled header is cut. */
  headersTimeoutMs: 10_000,
  /** The whole request, body included (a live feed's response is not a request). */
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
} as const;

export function limitConnections(server: Server): void {
  server.maxConnections = CONNECTION_LIMITS.total;
  server.headersTimeout = CONNECTION_LIMITS.headersTimeoutMs;
  server.requestTimeout = CONNECTION_LIMITS.requestTimeoutMs;
  server.keepAliveTimeout = CONNECTION_LIMITS.keepAliveTimeoutMs;
  const open = new Map<string, number>();
  // 'connection' is the TCP socket, before any TLS handshake: an HTTPS listener is held to the same count.
  server.on('connection', (socket) => {
    const host = socket.remoteAddress ?? 'local';
    const count = (open.get(host) ?? 0) + 1;
    if (count > CONNECTION_LIMITS.perHost) {
      socket.destroy();
      return;
    }
    open.set(host, count);
    socket.once('close', () => {
      const left = (open.get(host) ?? 1) - 1;
      if (left > 0) open.set(host, left);
      else open.delete(host);
    });
  });
}
