import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import type { Acl, BrokerRole } from './acl.js';
import type { EmbeddedBrokerConfig } from './config-schema.js';
import { DEFAULT_LIMITS } from './config-schema.js';
import { verifyPassword } from './password-hash.js';

export interface BrokerUser {
  username: string;
  passwordHash: string;
  role: BrokerRole;
}

/** A command as the broker saw it: who sent it, and whether the ACL let it through. */
export interface BrokerCommand {
  name: string;
  payload: Buffer;
  retain: boolean;
  username: string;
  role: BrokerRole;
  allowed: boolean;
}

export interface EmbeddedBrokerOptions {
  config: Pick<EmbeddedBrokerConfig, 'host' | 'port' | 'limits' | 'tls'>;
  users: readonly BrokerUser[];
  acl: Acl;
  log: Logger;
  /** Every publish on `…/cmd/<name>`, refused or not, so the command path can answer and audit it. */
  onCommand?: (command: BrokerCommand) => void;
}

export interface EmbeddedBroker {
  port: number;
  tlsPort?: number;
  stop(): Promise<void>;
}

/** [MQTT 3.1.1 §3.2.2.3] CONNACK return codes. */
const BAD_CREDENTIALS = 4;
const NOT_AUTHORIZED = 5;

/**
 * The default broker: aedes on a TCP listener (and optionally TLS). Every
 * client must authenticate; every publish, will, subscription and delivery is
 * checked against the role's ACL; payload size, connections and per-client
 * queues are bounded. aedes 1.2 speaks MQTT 3.1.1 only.
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const log = options.log.child({ module: 'broker' });
  const { acl } = options;
  const limits = options.config.limits ?? DEFAULT_LIMITS;
  const users = new Map(options.users.map((user) => [user.username, user]));
  const sessions = new WeakMap<object, { role: BrokerRole; username: string }>();
  const refuse = (returnCode: number, message: string) => Object.assign(new Error(message), { returnCode }) as AuthenticateError;

  const broker = await Aedes.createBroker({
    queueLimit: limits.queueLimit,
    preConnect(client, _packet, callback) {
      // Counted before authentication, so a flood of bad logins cannot hold every slot.
      if (broker.connectedClients < limits.maxConnections) return callback(null, true);
      log.warn({ clientId: client.id, maxConnections: limits.maxConnections }, 'mqtt client refused: connection limit reached');
      // An error, not `false`: aedes leaves a refused socket open (no CONNACK, no close) unless told it failed.
      callback(new Error('connection limit reached'), false);
    },
    authenticate(client, username, password, done) {
      const user = username === undefined ? undefined : users.get(username);
      const attempt = user && password ? verifyPassword(password.toString('utf8'), user.passwordHash) : Promise.resolve(false);
      void attempt.then((ok) => {
        if (!ok || !user) {
          log.warn({ clientId: client.id, username }, 'mqtt client refused: bad credentials');
          done(refuse(BAD_CREDENTIALS, 'bad user name or password'), false);
          return;
        }
        // The will is authorized at CONNECT, not only when it fires ([MQTT-3.1.2-8] it is stored now).
        const will = (client as Client & { _will?: { topic: string } })._will;
        if (will && !acl.canPublish(user.role, will.topic)) {
          log.warn({ clientId: client.id, username, topic: will.topic }, 'mqtt client refused: will topic not allowed');
          done(refuse(NOT_AUTHORIZED, 'will topic not authorized'), false);
          return;
        }
        sessions.set(client, { role: user.role, username: user.username });
        done(null, true);
      });
    },
    authorizePublish(client, packet, callback) {
      if (!client) return callback(null);
      const session = sessions.get(client);
      const allowed = session !== undefined && acl.canPublish(session.role, packet.topic) && packet.payload.length <= limits.maxPayloadBytes;
      const name = acl.commandName(packet.topic);
      if (name !== undefined && session) {
        options.onCommand?.({ name, payload: Buffer.from(packet.payload), retain: packet.retain, username: session.username, role: session.role, allowed });
        // [MQTT-3.3.1-5] a retained command would be stored and fire again after every restart: never store it.
        (packet as PublishPacket).retain = false;
      }
      if (!allowed) {
        log.warn({ clientId: client.id, topic: packet.topic, bytes: packet.payload.length }, 'mqtt publish refused by ACL or size limit');
        // [MQTT-3.3.5-2] 3.1.1 has no negative PUBACK: the server closes the connection.
        callback(new Error('publish not authorized'));
        return;
      }
      callback(null);
    },
    authorizeSubscribe(client, subscription, callback) {
      const session = sessions.get(client);
      if (!session || !acl.canSubscribe(session.role, subscription.topic)) {
        log.warn({ clientId: client.id, topic: subscription.topic }, 'mqtt subscription refused by ACL');
        // [MQTT-3.9.3] a refused subscription gets return code 0x80 rather than a dropped connection.
        callback(null, null);
        return;
      }
      callback(null, subscription);
    },
    authorizeForward(client, packet) {
      const session = sessions.get(client);
      return session && acl.canReceive(session.role, packet.topic) ? packet : null;
    },
  });
  broker.on('connectionError', (client, error) => log.debug({ clientId: client.id, err: error.message }, 'mqtt connection error'));

  const servers: Server[] = [];
  const listen = async (server: Server, port: number) => {
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, options.config.host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  };
  // MQTT packets are small: without TCP_NODELAY, Nagle's algorithm and delayed ACKs hold a command or its reply back by tens of ms.
  const handle = (socket: Socket) => {
    socket.setNoDelay(true);
    broker.handle(socket);
  };
  const port = await listen(createServer(handle), options.config.port);
  const { tls } = options.config;
  const tlsPort = tls
    ? await listen(
        createTlsServer(
          {
            cert: readFileSync(tls.certFile),
            key: readFileSync(tls.keyFile),
            ...(tls.caFile ? { ca: readFileSync(tls.caFile), requestCert: true, rejectUnauthorized: true } : {}),
          },
          handle,
        ),
        tls.port ?? 8883,
      )
    : undefined;
  log.info({ host: options.config.host, port, tlsPort }, 'embedded MQTT broker listening');

  return {
    port,
    ...(tlsPort === undefined ? {} : { tlsPort }),
    async stop() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}

