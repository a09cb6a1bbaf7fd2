import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { duplexPair, type Duplex } from 'node:stream';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { Aedes } from 'aedes';
import type { Logger } from 'pino';
import { LogSummary } from '../log-summary.js';
import type { Acl } from './acl.js';
import { clientIdRule } from './broker-client-ids.js';
import { brokerHooks, plainAddress, type BrokerCommand, type BrokerUser } from './broker-hooks.js';
import { LoginThrottle } from './broker-login-throttle.js';
import { guardPacketSize } from './broker-packet-guard.js';
import { BrokerSlots, slotLimits } from './broker-slots.js';
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
 * (logins, client ids, ACL, wills, slots) lives in broker-hooks.ts; this file
 * owns the sockets: what is cut before aedes sees it (too many sockets, an
 * oversized packet) and the listeners. aedes 1.2 speaks MQTT 3.1.1 only.
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const log = options.log.child({ module: 'broker' });
  const limits = { ...DEFAULT_LIMITS, ...options.config.limits };
  const maxPacketBytes = limits.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES;
  const slots = new BrokerSlots(slotLimits(limits.maxConnections));
  const reserved = new Map((options.gatewayClientIds ?? []).map((id) => [id, 'gateway']));
  const hooks = brokerHooks({
    users: options.users,
    acl: options.acl,
    log,
    maxPayloadBytes: limits.maxPayloadBytes,
    slots,
    throttle: new LoginThrottle(),
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

  const dropped = new LogSummary(log, 'mqtt sockets refused or evicted before login: too many not logged in');
  /** Counts the socket in the pre-login pool from its accept; closes it, or the oldest pending one, when the pool is full. */
  const accept = (socket: Duplex, address: string): boolean => {
    const verdict = slots.accept(socket, address);
    if (!verdict.ok) {
      dropped.count('refused', address);
      socket.destroy();
      return false;
    }
    if (verdict.evicted) {
      dropped.count('evicted', address);
      (verdict.evicted as Duplex).destroy();
    }
    socket.once('close', () => slots.release(socket));
    return true;
  };
  const serve = (socket: Duplex, address: string) => {
    broker.handle(socket);
    // After handle(): aedes' 'readable' listener keeps control of the flow (see broker-packet-guard.ts).
    socket.once('data', () => slots.spoke(socket));
    guardPacketSize(socket, maxPacketBytes, (announced) => log.warn({ address, announced, maxPacketBytes }, 'mqtt socket cut: packet larger than allowed'));
  };
  const handle = (socket: Duplex, address: string) => {
    if (accept(socket, address)) serve(socket, address);
  };
  // MQTT packets are small: without TCP_NODELAY, Nagle's algorithm and delayed ACKs hold a command or its reply back by tens of ms.
  const onSocket = (socket: Socket) => {
    socket.setNoDelay(true);
    handle(socket, plainAddress(socket.remoteAddress));
  };
  // TLS: the TCP socket is counted from its accept, before any handshake, and
  // its slot passes to the TLS socket once the handshake is done.
  const handshaking = new Map<string, Socket>();
  const peerKey = (socket: Socket) => `${socket.remoteAddress}|${socket.remotePort}`;
  const onTcpForTls = (raw: Socket) => {
    if (!accept(raw, plainAddress(raw.remoteAddress))) return;
    const key = peerKey(raw);
    handshaking.set(key, raw);
    raw.once('close', () => handshaking.delete(key));
  };
  const onTlsSocket = (socket: TLSSocket) => {
    const key = peerKey(socket);
    const raw = handshaking.get(key);
    handshaking.delete(key);
    if (!raw) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    slots.transfer(raw, socket);
    socket.once('close', () => slots.release(socket));
    serve(socket, plainAddress(socket.remoteAddress));
  };

  const servers: Server[] = [];
  const listen = async (server: Server, port: number) => {
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, options.config.host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  };
  const { tls } = options.config;
  const plain = !tls || tls.plaintext !== false;
  const port = plain ? await listen(createServer(onSocket), options.config.port) : undefined;
  const tlsServer = tls
    ? createTlsServer(
        {
          cert: readFileSync(tls.certFile),
          key: readFileSync(tls.keyFile),
          handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
          ...(tls.caFile ? { ca: readFileSync(tls.caFile), requestCert: true, rejectUnauthorized: true } : {}),
        },
        onTlsSocket,
      )
    : undefined;
  tlsServer?.on('connection', onTcpForTls);
  // With a listener, Node leaves the socket open after a failed or timed-out handshake: close it here.
  tlsServer?.on('tlsClientError', (error, socket) => {
    log.debug({ err: error.message }, 'mqtts handshake failed');
    socket.destroy();
  });
  const tlsPort = tls && tlsServer ? await listen(tlsServer, tls.port ?? 8883) : undefined;
  log.info({ host: options.config.host, port, tlsPort }, 'embedded MQTT broker listening');

  return {
    port: (port ?? tlsPort) as number,
    ...(tlsPort === undefined ? {} : { tlsPort }),
    url: port === undefined ? `mqtts://${options.config.host}:${tlsPort}` : `mqtt://${options.config.host}:${port}`,
    connectLocal() {
      const [ours, theirs] = duplexPair();
      // A socket closes both ways at once; a pair's sides do not, and mqtt.js waits for 'close' on end().
      ours.once('close', () => theirs.destroy());
      theirs.once('close', () => ours.destroy());
      handle(ours, 'local');
      return theirs;
    },
    async stop() {
      dropped.flush();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}
