import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { duplexPair, type Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes } from 'aedes';
import type { Logger } from 'pino';
import type { Acl } from './acl.js';
import { clientIdRule } from './broker-client-ids.js';
import { brokerHooks, type BrokerCommand, type BrokerUser } from './broker-hooks.js';
import { LoginQueue } from './broker-login-queue.js';
import { LoginThrottle } from './broker-login-throttle.js';
import { BrokerSlots, slotLimits } from './broker-slots.js';
import { BrokerSockets } from './broker-sockets.js';
import type { EmbeddedBrokerConfig } from './config-schema.js';
import { DEFAULT_LIMITS, DEFAULT_MAX_PACKET_BYTES } from './config-schema.js';

export type { BrokerCommand, BrokerUser } from './broker-hooks.js';

export interface EmbeddedBrokerOptions {
  config: Pick<EmbeddedBrokerConfig, 'host' | 'port' | 'limits' | 'tls'>;
  users: readonly BrokerUser[];
  acl: Acl;
  log: Logger;
  /** Client ids only the gateway user may use: its own session's (`mqtt.clientId`). */
  gatewayClientIds?: readonly string[];
  /** Every publish on `…/cmd/<name>`, refused or not, so the command path can answer and audit it. */
  onCommand?: (command: BrokerCommand) => void;
  /** The gateway's own session runs in-process (the gateway's embedded broker): its user is refused on sockets. */
  gatewayInProcess?: boolean;
}

export interface EmbeddedBroker {
  /** The plain listener's port; the TLS port when the plain listener is off. */
  port: number;
  tlsPort?: number;
  /** `mqtt://host:port`, or `mqtts://host:tlsPort` when the plain listener is off. */
  url: string;
  /** An in-process connection to the broker (for the gateway's own session): no listener, no network. */
  connectLocal(): Duplex;
  stop(): Promise<void>;
}

/**
 * A client that has not sent its CONNECT by then is dropped (aedes' default is
 * 30 s); a TLS client that has not finished its handshake likewise (Node's
 * default is 120 s). Short, so idle sockets turn over fast (issue 12, second outside test).
 */
const CONNECT_TIMEOUT_MS = 5_000;
const TLS_HANDSHAKE_TIMEOUT_MS = 5_000;

/**
 * The default broker: aedes on a TCP listener and optionally TLS. The policy
 * (logins, client ids, ACL, wills, slots) lives in broker-hooks.ts, what is
 * cut before aedes sees a socket in broker-sockets.ts; this file owns the
 * listeners. aedes 1.2 speaks MQTT 3.1.1 only.
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const log = options.log.child({ module: 'broker' });
  const limits = { ...DEFAULT_LIMITS, ...options.config.limits };
  const slots = new BrokerSlots(slotLimits(limits.maxConnections));
  const broker = await createAedes(options, limits, slots, log);
  const sockets = new BrokerSockets(broker, slots, limits.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES, log);
  const { host } = options.config;
  const { servers, port, tlsPort } = await openListeners(options.config, sockets, log);
  log.info({ host, port, tlsPort }, 'embedded MQTT broker listening');
  return {
    port: (port ?? tlsPort) as number,
    ...(tlsPort === undefined ? {} : { tlsPort }),
    url: port === undefined ? `mqtts://${host}:${tlsPort}` : `mqtt://${host}:${port}`,
    connectLocal() {
      const [ours, theirs] = duplexPair();
      // A socket closes both ways at once; a pair's sides do not, and mqtt.js waits for 'close' on end().
      ours.once('close', () => theirs.destroy());
      theirs.once('close', () => ours.destroy());
      sockets.handle(ours, 'local');
      return theirs;
    },
    async stop() {
      sockets.flush();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}

/** aedes with the gateway's policy as its hooks (broker-hooks.ts). */
async function createAedes(options: EmbeddedBrokerOptions, limits: typeof DEFAULT_LIMITS, slots: BrokerSlots, log: Logger): Promise<Aedes> {
  const reserved = new Map((options.gatewayClientIds ?? []).map((id) => [id, 'gateway']));
  const hooks = brokerHooks({
    users: options.users,
    acl: options.acl,
    log,
    maxPayloadBytes: limits.maxPayloadBytes,
    slots,
    throttle: new LoginThrottle(),
    checks: new LoginQueue(),
    clientId: clientIdRule(
      options.users.map((user) => user.username),
      reserved,
    ),
    now: () => Date.now(),
    onCommand: options.onCommand,
    gatewayInProcess: options.gatewayInProcess,
  });
  const broker = await Aedes.createBroker({ queueLimit: limits.queueLimit, connectTimeout: CONNECT_TIMEOUT_MS, ...hooks });
  broker.on('connectionError', (client, error) => log.debug({ clientId: client.id, err: error.message }, 'mqtt connection error'));
  return broker;
}

/** The plain listener (unless `tls.plaintext` is false) and the TLS one (with `tls`); their ports, 0 in config meaning any free one. */
async function openListeners(config: EmbeddedBrokerOptions['config'], sockets: BrokerSockets, log: Logger): Promise<{ servers: Server[]; port?: number; tlsPort?: number }> {
  const servers: Server[] = [];
  const listen = async (server: Server, port: number) => {
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, config.host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  };
  const { tls } = config;
  const plain = !tls || tls.plaintext !== false;
  const port = plain ? await listen(createServer(sockets.onSocket), config.port) : undefined;
  if (!tls) return { servers, ...(port === undefined ? {} : { port }) };
  const tlsServer = createTlsServer(
    {
      cert: readFileSync(tls.certFile),
      key: readFileSync(tls.keyFile),
      handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
      ...(tls.caFile ? { ca: readFileSync(tls.caFile), requestCert: true, rejectUnauthorized: true } : {}),
    },
    sockets.onTlsSocket,
  );
  tlsServer.on('connection', sockets.onTcpForTls);
  // With a listener, Node leaves the socket open after a failed or timed-out handshake: close it here.
  tlsServer.on('tlsClientError', (error, socket) => {
    log.debug({ err: error.message }, 'mqtts handshake failed');
    socket.destroy();
  });
  const tlsPort = await listen(tlsServer, tls.port ?? 8883);
  return { servers, ...(port === undefined ? {} : { port }), tlsPort };
}
