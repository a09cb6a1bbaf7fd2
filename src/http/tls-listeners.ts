import { limitConnections } from './connection-limits.js';
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Code, GatewardenError } from '../errors.js';
import type { HttpConfig } from './config-schema.js';
import { isLoopback, type TlsMaterial } from './tls.js';

export interface Listening {
  /** The plain HTTP URL when that listener runs, else the HTTPS one. */
  url: string;
  httpsUrl?: string;
  fingerprint256?: string;
  close(): Promise<void>;
}

/**
 * Refuses, before anything listens, a set-up that would carry API tokens over
 * the LAN in clear next to an HTTPS listener, or that listens nowhere.
 */
export function checkListeners(http: HttpConfig, log: Logger): void {
  if (!http.plain && !http.tls.enabled) throw new GatewardenError('GW_CONFIG_INVALID', 'http.plain: false needs http.tls.enabled: true (or http.enabled: false): the page would listen nowhere');
  if (!http.plain || isLoopback(http.host)) return;
  if (http.tls.enabled) {
    throw new GatewardenError('GW_CONFIG_INVALID', `http.host: with http.tls on, plain HTTP stays on a loopback address (127.0.0.1), not ${http.host}; set http.plain: false to turn it off`);
  }
  log.warn({ host: http.host, code: Code.GW_CONFIG_INVALID }, 'plain HTTP on a non-loopback address: API tokens cross the network in clear; use http.tls (docs/operations.md)');
}

/**
 * Listens: HTTPS on `http.tls` when TLS is on, and plain HTTP on `http.host`
 * unless `http.plain` is false. One app serves both, so the rate limits and
 * the live feed's slots are shared and not doubled by switching listener.
 */
export async function listenAll(app: FastifyInstance, http: HttpConfig, tls: TlsMaterial | undefined, log: Logger): Promise<Listening> {
  if (!tls) {
    const url = await app.listen({ host: http.host, port: http.port });
    return { url, close: () => app.close() };
  }
  const httpsUrl = await app.listen({ host: http.tls.host, port: http.tls.port });
  // The guard compares this with what the tablet's browser shows before trusting it.
  log.info({ url: httpsUrl, fingerprint256: tls.fingerprint256, certFile: tls.certFile, generated: tls.generated }, 'guard-room page over HTTPS; check this certificate fingerprint on the tablet');
  if (!http.plain) return { url: httpsUrl, httpsUrl, fingerprint256: tls.fingerprint256, close: () => app.close() };
  let plain: Server;
  try {
    plain = await listenPlain(app, http.host, http.port);
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = plain.address();
  const port = typeof address === 'object' && address ? address.port : http.port;
  return {
    url: `http://${http.host.includes(':') ? `[${http.host}]` : http.host}:${port}`,
    httpsUrl,
    fingerprint256: tls.fingerprint256,
    close: async () => {
      // Open event streams would otherwise hold close() forever (fastify does this for its own server).
      plain.closeAllConnections();
      await new Promise<void>((resolve) => plain.close(() => resolve()));
      await app.close();
    },
  };
}

/** A second server into the same app: `routing` runs fastify's whole request lifecycle (hooks, auth, limits). */
function listenPlain(app: FastifyInstance, host: string, port: number): Promise<Server> {
  const server = createServer((request, response) => app.routing(request, response));
  limitConnections(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
