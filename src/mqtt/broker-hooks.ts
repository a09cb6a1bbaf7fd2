import type { AedesOptions, AuthenticateError, Client, PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import type { Acl, BrokerRole } from './acl.js';
import type { ClientIdVerdict } from './broker-client-ids.js';
import { LoginShed, type LoginQueue } from './broker-login-queue.js';
import type { LoginThrottle } from './broker-login-throttle.js';
import type { BrokerSlots } from './broker-slots.js';
import { verifyPasswordOrDummy } from './password-hash.js';

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
  /** The sender's client id as the broker files it (see broker-client-ids.ts): its private reply topic. */
  clientId: string;
  role: BrokerRole;
  allowed: boolean;
}

export interface BrokerHookDeps {
  users: readonly BrokerUser[];
  acl: Acl;
  log: Logger;
  maxPayloadBytes: number;
  slots: BrokerSlots;
  throttle: LoginThrottle;
  /** Where the password checks wait for their turn. */
  checks: LoginQueue;
  clientId: (username: string, clientId: string) => ClientIdVerdict;
  now: () => number;
  onCommand?: ((command: BrokerCommand) => void) | undefined;
  /** The gateway's own session runs in-process on this broker: its user may not log in over a socket. */
  gatewayInProcess?: boolean | undefined;
}

type Hooks = Required<Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'>>;

/** [MQTT 3.1.1 §3.2.2.3] CONNACK return codes. */
export const CONNACK = { IDENTIFIER_REJECTED: 2, SERVER_UNAVAILABLE: 3, BAD_CREDENTIALS: 4, NOT_AUTHORIZED: 5 } as const;

const refuse = (returnCode: number, message: string) => Object.assign(new Error(message), { returnCode }) as AuthenticateError;

/** A peer address without the IPv4-mapped prefix, so `::ffff:10.0.0.5` and `10.0.0.5` count as one host; 'local' for the in-process stream. */
export function plainAddress(address: string | undefined): string {
  if (address === undefined) return 'local';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

const peerAddress = (client: Client) => plainAddress((client.conn as { remoteAddress?: string }).remoteAddress);

/** What every hook shares: the users, who is logged in as whom, and the deps. */
interface HookContext {
  deps: BrokerHookDeps;
  users: ReadonlyMap<string, BrokerUser>;
  sessions: WeakMap<object, { role: BrokerRole; username: string }>;
}

/**
 * The embedded broker's policy as aedes hooks, one function per packet the
 * policy looks at (aedes' `authenticate`, `authorizePublish`, …). Every
 * client must log in; the login is throttled, queued, bound to its client id and to a
 * connection slot; every publish, will, subscription and delivery is checked
 * against the role's ACL.
 */
export function brokerHooks(deps: BrokerHookDeps): Hooks & { roleOf(client: Client): BrokerRole | undefined } {
  const context: HookContext = { deps, users: new Map(deps.users.map((user) => [user.username, user])), sessions: new WeakMap() };
  return {
    roleOf: (client) => context.sessions.get(client)?.role,
    authenticate: authenticate(context),
    authorizePublish: authorizePublish(context),
    authorizeSubscribe: authorizeSubscribe(context),
    authorizeForward: authorizeForward(context),
  };
}

/**
 * CONNECT: the brute-force throttle, then the password check in its turn
 * (broker-login-queue.ts: scrypt, the same cost for an unknown user), the
 * gateway user in-process only, then admit(). Only failed logins are held
 * back (CONNACK 5); a login the queue cannot take in time gets CONNACK 3,
 * which clients retry, never 5, which they give up on.
 */
function authenticate(context: HookContext): Hooks['authenticate'] {
  const { deps } = context;
  return (client, username, password, done) => {
    const address = peerAddress(client);
    const refusal = backedOff(deps, client, address, username);
    if (refusal) {
      done(refusal, false);
      return;
    }
    deps.checks.run(address, () => checkLogin(context, client, address, username, password?.toString('utf8') ?? '')).then(
      (outcome) => done(outcome ?? null, outcome === undefined),
      (error: unknown) => {
        const who = { clientId: client.id, username, address };
        if (error instanceof LoginShed) deps.log.warn({ ...who, reason: error.reason }, 'mqtt client refused: too many logins waiting, try again');
        else deps.log.error({ ...who, err: error }, 'mqtt login check failed');
        done(refuse(CONNACK.SERVER_UNAVAILABLE, 'server unavailable, try again'), false);
      },
    );
  };
}

/** The throttle's refusal when the host or the user name is backed off after failed logins (brute force). */
function backedOff(deps: BrokerHookDeps, client: Client, address: string, username: string | undefined): AuthenticateError | undefined {
  const gate = deps.throttle.check(address, username, deps.now());
  if (gate.ok) return undefined;
  deps.log.warn({ clientId: client.id, username, address, reason: gate.reason, retryInMs: gate.retryInMs }, 'mqtt client refused: login throttled');
  return refuse(CONNACK.NOT_AUTHORIZED, 'login throttled');
}

/** A login's turn in the queue: the refusal, or undefined when the client is in. */
async function checkLogin(context: HookContext, client: Client, address: string, username: string | undefined, password: string): Promise<AuthenticateError | undefined> {
  const { deps, users } = context;
  const { log, throttle } = deps;
  // A client that hung up while waiting costs no scrypt run; aedes ignores the answer.
  if (client.closed) return refuse(CONNACK.SERVER_UNAVAILABLE, 'client gone');
  // Failures may have come in while this one waited.
  const refusal = backedOff(deps, client, address, username);
  if (refusal) return refusal;
  const user = username === undefined ? undefined : users.get(username);
  // An unknown user costs one scrypt run too, so the answer time does not tell who exists.
  const ok = await verifyPasswordOrDummy(password, user?.passwordHash);
  // The gateway's password is generated (144 random bits): a guess cannot succeed, and a lock would only keep the gateway out.
  throttle.record(address, username, ok, deps.now(), { userExempt: user?.role === 'gateway' });
  if (!ok || !user) {
    log.warn({ clientId: client.id, username, address }, 'mqtt client refused: bad credentials');
    return refuse(CONNACK.BAD_CREDENTIALS, 'bad user name or password');
  }
  // The gateway's own session is in-process: its user never logs in over a socket (found from outside: with
  // the password, a network client took the gateway's session, fired its last will and posed as it).
  if (deps.gatewayInProcess && user.role === 'gateway' && address !== 'local') {
    log.warn({ clientId: client.id, username, address }, 'mqtt client refused: the gateway user logs in in-process only');
    return refuse(CONNACK.NOT_AUTHORIZED, 'the gateway user logs in in-process only');
  }
  return admit(context, client, user);
}

/** After the password: client id, will and slot. Returns the refusal, or undefined when the client is in. */
function admit({ deps, sessions }: HookContext, client: Client, user: BrokerUser): AuthenticateError | undefined {
  const { acl, log, slots } = deps;
  const context = { clientId: client.id, username: user.username, address: peerAddress(client) };
  const id = deps.clientId(user.username, client.id);
  if (!id.ok) {
    log.warn({ ...context, owner: id.owner }, 'mqtt client refused: client id belongs to another user (takeover attempt)');
    return refuse(CONNACK.IDENTIFIER_REJECTED, 'client id belongs to another user');
  }
  // [MQTT-3.1.2-8] the will is stored now, so it is authorized now; a will never carries a command.
  const will = (client as Client & { _will?: { topic: string } })._will;
  if (will && (isCommandTraffic(acl, will.topic) || !acl.canPublish(user.role, will.topic))) {
    log.warn({ ...context, topic: will.topic }, 'mqtt client refused: will topic not allowed');
    return refuse(CONNACK.NOT_AUTHORIZED, 'will topic not authorized');
  }
  if (!slots.admit(client.conn, user.role)) {
    log.warn({ ...context, role: user.role, sessions: slots.sessionCount }, 'mqtt client refused: connection limit reached');
    return refuse(CONNACK.SERVER_UNAVAILABLE, 'connection limit reached');
  }
  // Set before aedes registers the client, so the session, the will and any takeover use the bound id.
  client.id = id.clientId;
  sessions.set(client, { role: user.role, username: user.username });
  return undefined;
}

/** `…/cmd/<name>` and `…/cmd/<name>/reply`: the command traffic no will may ever land on. */
function isCommandTraffic(acl: Acl, topic: string): boolean {
  return acl.commandName(topic) !== undefined || (topic.endsWith('/reply') && acl.commandName(topic.slice(0, -'/reply'.length)) !== undefined);
}

/** PUBLISH (and a will firing): ACL and size; every command is handed over, refused or not, and never retained. */
function authorizePublish({ deps, sessions }: HookContext): Hooks['authorizePublish'] {
  const { acl, log } = deps;
  return (client, packet, callback) => {
    const session = client ? sessions.get(client) : undefined;
    const name = acl.commandName(packet.topic);
    // A will firing (on a stream that dropped, or restored from persistence without its client) is never a command.
    if (name !== undefined && (!client || packet === (client as Client & { will?: unknown }).will)) {
      log.warn({ clientId: client?.id, topic: packet.topic }, 'mqtt will on a command topic dropped');
      callback(new Error('will on a command topic'));
      return;
    }
    if (!client) return callback(null);
    const allowed = session !== undefined && acl.canPublish(session.role, packet.topic) && packet.payload.length <= deps.maxPayloadBytes;
    // Refused elsewhere in the command namespace (`…/cmd/open/extra`, a forged `…/cmd/open/reply`): audited as an attempt too.
    const path = name ?? (allowed || session?.role === 'gateway' ? undefined : acl.commandPath(packet.topic));
    if (path !== undefined && session) {
      deps.onCommand?.({ name: path, payload: Buffer.from(packet.payload), retain: packet.retain, username: session.username, clientId: client.id, role: session.role, allowed });
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
  };
}

/** SUBSCRIBE: the role's ACL. */
function authorizeSubscribe({ deps, sessions }: HookContext): Hooks['authorizeSubscribe'] {
  return (client, subscription, callback) => {
    const session = sessions.get(client);
    if (!session || !deps.acl.canSubscribe(session.role, subscription.topic)) {
      deps.log.warn({ clientId: client.id, topic: subscription.topic }, 'mqtt subscription refused by ACL');
      // [MQTT-3.9.3] a refused subscription gets return code 0x80 rather than a dropped connection.
      callback(null, null);
      return;
    }
    callback(null, subscription);
  };
}

/** Delivery: what the receiver's role may read (its own reply topic among them). */
function authorizeForward({ deps, sessions }: HookContext): Hooks['authorizeForward'] {
  return (client, packet) => {
    const session = sessions.get(client);
    return session && deps.acl.canReceive(session.role, packet.topic, client.id) ? packet : null;
  };
}
