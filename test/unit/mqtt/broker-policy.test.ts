import type { AuthenticateError, Client, PublishPacket } from 'aedes';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { aclFor } from '../../../src/mqtt/acl.js';
import { clientIdRule } from '../../../src/mqtt/broker-client-ids.js';
import { brokerHooks, CONNACK, type BrokerCommand } from '../../../src/mqtt/broker-hooks.js';
import { LoginQueue } from '../../../src/mqtt/broker-login-queue.js';
import { LoginThrottle, DEFAULT_LOGIN_THROTTLE } from '../../../src/mqtt/broker-login-throttle.js';
import { PacketLengthReader } from '../../../src/mqtt/broker-packet-guard.js';
import { BrokerSlots, slotLimits } from '../../../src/mqtt/broker-slots.js';
import { hashPassword } from '../../../src/mqtt/password-hash.js';

const PREFIX = 'gatewarden/test-estate';

describe('PacketLengthReader: the announced length from the fixed header [MQTT 3.1.1 §2.2.3]', () => {
  const LIMIT = 1000;
  it.each([
    ['a small packet whole', [[0x30, 0x03, 1, 2, 3]], undefined],
    ['two packets in one chunk', [[0xc0, 0x00, 0x30, 0x02, 9, 9]], undefined],
    ['a header split across chunks, the body skipped', [[0x30], [0xe7], [0x07], Array(999).fill(0)], undefined], // 999
    ['1001 bytes announced', [[0x10, 0xe9, 0x07]], 1001],
    ['100 MB announced, length bytes split', [[0x10, 0x80], [0x80, 0x80], [0x32]], 100 * 1024 * 1024],
    ['a large packet after a small one', [[0xc0, 0x00, 0x30, 0xff, 0xff, 0x03]], 65535],
    ['a fifth length byte', [[0x10, 0xff, 0xff, 0xff, 0xff, 0x01]], 'malformed'],
  ])('%s', (_name, chunks, expected) => {
    const reader = new PacketLengthReader(LIMIT);
    let verdict: number | 'malformed' | undefined;
    for (const chunk of chunks) verdict ??= reader.feed(Uint8Array.from(chunk as number[]));
    expect(verdict).toBe(expected);
  });

  it('reads the next header after a body that spans chunks', () => {
    const reader = new PacketLengthReader(LIMIT);
    expect(reader.feed(Uint8Array.from([0x30, 0x0a, 1, 2, 3]))).toBeUndefined();
    expect(reader.feed(Uint8Array.from([4, 5, 6, 7, 8, 9, 10, 0x10, 0xe9]))).toBeUndefined();
    expect(reader.feed(Uint8Array.from([0x07]))).toBe(1001);
  });
});

describe('LoginThrottle: per host and per user, with back-off', () => {
  const options = { ...DEFAULT_LOGIN_THROTTLE, freeFailuresPerAddress: 3, freeFailuresPerUser: 2, baseBackoffMs: 1000, maxBackoffMs: 4000 };
  const fail = (throttle: LoginThrottle, address: string, user: string, now: number) => {
    expect(throttle.check(address, user, now)).toEqual({ ok: true });
    throttle.record(address, user, false, now);
  };

  it('blocks a user after its free failures, doubling up to the cap, from the hosts that failed for it only', () => {
    const throttle = new LoginThrottle(options);
    fail(throttle, 'h1', 'manager', 0);
    fail(throttle, 'h2', 'manager', 0);
    fail(throttle, 'h3', 'manager', 0); // third failure: 1 s
    expect(throttle.check('h1', 'manager', 500)).toMatchObject({ ok: false, reason: 'user-blocked', retryInMs: 500 });
    expect(throttle.check('h3', 'observer', 500)).toEqual({ ok: true });
    throttle.record('h3', 'observer', true, 500);
    // The manager's console never failed for it: not held back by the attacker's failures.
    expect(throttle.check('console', 'manager', 500)).toEqual({ ok: true });
    throttle.record('console', 'manager', true, 500);
    fail(throttle, 'h4', 'manager', 1000); // fourth: 2 s
    expect(throttle.check('h2', 'manager', 2999)).toMatchObject({ reason: 'user-blocked' });
    fail(throttle, 'h5', 'manager', 3000); // fifth: 4 s
    fail(throttle, 'h6', 'manager', 7000); // sixth: capped at 4 s
    expect(throttle.check('h6', 'manager', 10_999)).toMatchObject({ retryInMs: 1 });
    expect(throttle.check('console', 'manager', 10_999)).toEqual({ ok: true });
    throttle.record('console', 'manager', true, 10_999);
    expect(throttle.check('h6', 'manager', 11_000)).toEqual({ ok: true });
  });

  it('a success clears the host for the name, and an old failure is forgotten', () => {
    const throttle = new LoginThrottle({ ...options, forgetAfterMs: 10_000 });
    for (const host of ['h1', 'h2', 'h3']) fail(throttle, host, 'manager', 0);
    expect(throttle.check('h1', 'manager', 100)).toMatchObject({ reason: 'user-blocked' });
    fail(throttle, 'h1', 'approver', 0);
    expect(throttle.check('h1', 'manager', 1000)).toEqual({ ok: true });
    throttle.record('h1', 'manager', true, 1000);
    fail(throttle, 'h2', 'manager', 1000); // fourth: 2 s, but h1's failure for the name is cleared
    expect(throttle.check('h1', 'manager', 1500)).toEqual({ ok: true });
  });

  it('blocks a host after its free failures, whatever the user names', () => {
    const throttle = new LoginThrottle(options);
    for (let i = 0; i < 4; i += 1) fail(throttle, 'attacker', `nobody-${i}`, 0);
    expect(throttle.check('attacker', 'manager', 10)).toMatchObject({ ok: false, reason: 'address-blocked' });
    expect(throttle.check('manager-host', 'manager', 10)).toEqual({ ok: true });
  });

  it('counts failures only: a host may have any number of attempts in hand at once', () => {
    const throttle = new LoginThrottle(options);
    for (let i = 0; i < 10; i += 1) expect(throttle.check('h', `console-${i}`, 0)).toEqual({ ok: true });
    for (let i = 0; i < 10; i += 1) throttle.record('h', `console-${i}`, true, 0);
    expect(throttle.check('h', 'console-0', 0)).toEqual({ ok: true });
  });

  it('does not count failures of an exempt user against the user, and forgets old failures', () => {
    const throttle = new LoginThrottle({ ...options, freeFailuresPerAddress: 100, forgetAfterMs: 10_000, maxKeys: 5 });
    for (let i = 0; i < 5; i += 1) {
      throttle.check(`h${i}`, 'gateway', 0);
      throttle.record(`h${i}`, 'gateway', false, 0, { userExempt: true });
    }
    expect(throttle.check('hx', 'gateway', 1)).toEqual({ ok: true });
    throttle.record('hx', 'gateway', true, 1);
    for (let i = 0; i < 3; i += 1) fail(throttle, `k${i}`, 'observer', 0);
    expect(throttle.check('k9', 'observer', 20_001)).toEqual({ ok: true });
  });
});

describe('BrokerSlots: one budget per live socket, in tiers', () => {
  it('keeps the gateway and manager slots free of a flood of observers', () => {
    const slots = new BrokerSlots({ ...slotLimits(16), maxPendingPerAddress: 100, maxPending: 100 });
    expect(slots.limits.reservedPrivileged).toBe(2);
    const sockets = Array.from({ length: 20 }, () => ({}));
    for (const socket of sockets) expect(slots.accept(socket, 'lan')).toEqual({ ok: true });
    const admitted = sockets.filter((socket) => slots.admit(socket, 'observer')).length;
    expect(admitted).toBe(13);
    const [a, b, c] = [{}, {}, {}];
    for (const s of [a, b, c]) slots.accept(s, 'lan');
    expect([slots.admit(a, 'manager'), slots.admit(b, 'district'), slots.admit(c, 'manager')]).toEqual([true, true, false]);
    expect(slots.admit(c, 'gateway')).toBe(true);
    slots.release(sockets[0] as object);
    expect(slots.sessionCount).toBe(15);
  });

  it('refuses a host past its pending limit, and evicts the oldest pending socket, silent ones first, when the pool is full', () => {
    const slots = new BrokerSlots({ maxConnections: 4, reservedPrivileged: 0, maxPending: 3, maxPendingPerAddress: 2 });
    const [a1, a2, b1, c1, d1, e1] = [{}, {}, {}, {}, {}, {}];
    expect([slots.accept(a1, 'h1'), slots.accept(a2, 'h1'), slots.accept({}, 'h1')]).toEqual([{ ok: true }, { ok: true }, { ok: false }]);
    slots.spoke(a1);
    expect(slots.accept(b1, 'h2')).toEqual({ ok: true });
    // Full: a2 is the oldest that has not sent a byte.
    expect(slots.accept(c1, 'h3')).toEqual({ ok: true, evicted: a2 });
    expect(slots.accept(d1, 'h4')).toEqual({ ok: true, evicted: b1 });
    slots.spoke(c1);
    slots.spoke(d1);
    // Everyone spoke: the oldest goes.
    expect(slots.accept(e1, 'h5')).toEqual({ ok: true, evicted: a1 });
    expect(slots.admit({}, 'observer')).toBe(false);
    expect(slots.admit(c1, 'observer')).toBe(true);
    expect(slots.accept({}, 'local')).toEqual({ ok: true });
    // The in-process gateway stream is never evicted: d1 (oldest pending) goes, then e1; then only 'local' is left.
    expect(slots.accept({}, 'h6')).toEqual({ ok: true, evicted: d1 });
  });
});

describe('clientIdRule: ids bound to users', () => {
  const rule = clientIdRule(['gateway', 'observer', 'observer2', 'manager'], new Map([['gatewarden-estate', 'gateway'], ['manager/odd', 'gateway']]));
  it.each([
    ['observer', 'observer-tablet', { ok: true, clientId: 'observer-tablet' }],
    ['observer2', 'observer2-x', { ok: true, clientId: 'observer2-x' }],
    ['observer', 'observer2-x', { ok: false, owner: 'observer2' }],
    ['observer', 'gatewarden-estate', { ok: false, owner: 'gateway' }],
    ['gateway', 'gatewarden-estate', { ok: true, clientId: 'gatewarden-estate' }],
    ['observer', 'manager-console', { ok: false, owner: 'manager' }],
    ['observer', 'mqttjs_1234', { ok: true, clientId: 'observer/mqttjs_1234' }],
    ['manager', 'odd', { ok: false, owner: 'gateway' }],
  ])('%s with %s', (user, id, verdict) => expect(rule(user, id)).toEqual(verdict));
});

type FakeClient = Client & { _will?: { topic: string }; will?: unknown };

describe('brokerHooks: the policy as aedes hooks', () => {
  const users = [
    { username: 'gateway', role: 'gateway' as const, passwordHash: hashPassword('gateway-pw') },
    { username: 'observer', role: 'observer' as const, passwordHash: hashPassword('observer-pw') },
    { username: 'manager', role: 'manager' as const, passwordHash: hashPassword('manager-pw') },
  ];
  const setup = (checks = new LoginQueue()) => {
    const commands: BrokerCommand[] = [];
    const slots = new BrokerSlots(slotLimits(64));
    const hooks = brokerHooks({
      users,
      acl: aclFor(PREFIX),
      log: pino({ level: 'silent' }),
      maxPayloadBytes: 1024,
      slots,
      throttle: new LoginThrottle(),
      checks,
      clientId: clientIdRule(users.map((u) => u.username), new Map([['gatewarden-test-estate', 'gateway']])),
      now: () => 0,
      onCommand: (command) => commands.push(command),
      gatewayInProcess: true,
    });
    /** `local`: the in-process stream the gateway's own session uses (no remote address). */
    const client = (id: string, will?: { topic: string }, address = '10.0.0.5') => {
      const conn = address === 'local' ? {} : { remoteAddress: `::ffff:${address}` };
      slots.accept(conn, address);
      return { id, conn, ...(will ? { _will: will } : {}) } as unknown as FakeClient;
    };
    const login = (c: FakeClient, username: string | undefined, password: string | undefined) =>
      new Promise<number>((resolve) => hooks.authenticate(c, username, password === undefined ? undefined : Buffer.from(password), (error: AuthenticateError | null, ok?: boolean | null) => resolve(ok ? 0 : (error?.returnCode ?? -1))));
    return { hooks, commands, client, login };
  };

  it.each([
    ['the right password', 'observer', 'observer-pw', 'observer-1', undefined, 0],
    ['a wrong password', 'observer', 'nope', 'observer-1', undefined, CONNACK.BAD_CREDENTIALS],
    ['an unknown user', 'mallory', 'observer-pw', 'mallory-1', undefined, CONNACK.BAD_CREDENTIALS],
    ['no user name', undefined, undefined, 'x', undefined, CONNACK.BAD_CREDENTIALS],
    ["the gateway's id", 'observer', 'observer-pw', 'gatewarden-test-estate', undefined, CONNACK.IDENTIFIER_REJECTED],
    ["another user's id", 'observer', 'observer-pw', 'manager-1', undefined, CONNACK.IDENTIFIER_REJECTED],
    ['a will on a command topic', 'manager', 'manager-pw', 'manager-1', { topic: `${PREFIX}/cmd/lockdown` }, CONNACK.NOT_AUTHORIZED],
    ['a will on a reply topic', 'gateway', 'gateway-pw', 'gatewarden-test-estate', { topic: `${PREFIX}/cmd/lockdown/reply` }, CONNACK.NOT_AUTHORIZED],
    ['a will the role may not publish', 'observer', 'observer-pw', 'observer-1', { topic: `${PREFIX}/status` }, CONNACK.NOT_AUTHORIZED],
    ["the gateway's own will", 'gateway', 'gateway-pw', 'gatewarden-test-estate', { topic: `${PREFIX}/status` }, 0],
  ])('authenticate: %s', async (_name, username, password, id, will, code) => {
    const { client, login } = setup();
    // The gateway's session is in-process; everyone else comes over a socket.
    expect(await login(client(id, will, username === 'gateway' ? 'local' : undefined), username, password)).toBe(code);
  });

  it('refuses the gateway user over a socket, even with its password and its own id', async () => {
    const { client, login } = setup();
    expect(await login(client('gatewarden-test-estate', undefined, '10.0.0.9'), 'gateway', 'gateway-pw')).toBe(CONNACK.NOT_AUTHORIZED);
  });

  it('files a foreign id under the user, and the publish path sees who sent a command', async () => {
    const { hooks, client, login, commands } = setup();
    const manager = client('mqttjs_1');
    expect(await login(manager, 'manager', 'manager-pw')).toBe(0);
    expect(manager.id).toBe('manager/mqttjs_1');
    const packet = { cmd: 'publish', topic: `${PREFIX}/cmd/lockdown`, payload: Buffer.from('{}'), qos: 1, retain: true, dup: false } as PublishPacket;
    const error = await new Promise((resolve) => hooks.authorizePublish(manager, packet, resolve));
    expect(error).toBeNull();
    expect(packet.retain).toBe(false);
    expect(commands).toEqual([expect.objectContaining({ name: 'lockdown', username: 'manager', clientId: 'manager/mqttjs_1', role: 'manager', allowed: true })]);
  });

  it('drops a will that fires on a command topic, and never hands it to the command path', async () => {
    const { hooks, client, login, commands } = setup();
    const manager = client('manager-1');
    expect(await login(manager, 'manager', 'manager-pw')).toBe(0);
    const will = { cmd: 'publish', topic: `${PREFIX}/cmd/lockdown`, payload: Buffer.from('{}'), qos: 1, retain: false, dup: false } as PublishPacket;
    manager.will = will;
    expect(await new Promise((resolve) => hooks.authorizePublish(manager, will, resolve))).toBeInstanceOf(Error);
    expect(await new Promise((resolve) => hooks.authorizePublish(null as unknown as Client, will, resolve))).toBeInstanceOf(Error);
    expect(commands).toEqual([]);
  });

  it('refuses subscriptions outside the prefix and forwards command traffic only to roles that may see it', async () => {
    const { hooks, client, login } = setup();
    const observer = client('observer-1');
    expect(await login(observer, 'observer', 'observer-pw')).toBe(0);
    const granted = await new Promise((resolve) => hooks.authorizeSubscribe(observer, { topic: '#', qos: 0 }, (_e, s) => resolve(s)));
    expect(granted).toBeNull();
    type Forwarded = Parameters<typeof hooks.authorizeForward>[1];
    const status = { topic: `${PREFIX}/status`, payload: Buffer.alloc(0) } as Forwarded;
    const command = { topic: `${PREFIX}/cmd/lockdown`, payload: Buffer.alloc(0) } as Forwarded;
    expect(hooks.authorizeForward(observer, status)).toBe(status);
    expect(hooks.authorizeForward(observer, command)).toBeNull();
    expect(hooks.roleOf(observer)).toBe('observer');
  });

  it('answers a login the queue sheds with CONNACK 3 (server unavailable, retried), never 5', async () => {
    const { client, login } = setup(new LoginQueue({ maxRunning: 1, maxRunningPerAddress: 1, maxWaiting: 1, maxWaitMs: 60_000 }));
    const codes = await Promise.all([1, 2, 3].map((i) => login(client(`observer-${i}`, undefined, '10.0.0.7'), 'observer', 'observer-pw')));
    expect(codes).toEqual([0, 0, CONNACK.SERVER_UNAVAILABLE]);
  });

  it('turns a host away without hashing once it is backed off', async () => {
    const { client, login } = setup();
    for (let i = 0; i <= DEFAULT_LOGIN_THROTTLE.freeFailuresPerAddress; i += 1) expect(await login(client(`x${i}`, undefined, '10.9.9.9'), `nobody${i}`, 'bad')).toBe(CONNACK.BAD_CREDENTIALS);
    const started = performance.now();
    expect(await login(client('observer-9', undefined, '10.9.9.9'), 'observer', 'observer-pw')).toBe(CONNACK.NOT_AUTHORIZED);
    expect(performance.now() - started).toBeLessThan(20);
  });
});
