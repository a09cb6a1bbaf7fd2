import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateEd25519, type KeyPair } from '../../src/secrets.js';
import type { NatsCluster, NatsNode } from '../../support/brokers/nats-cluster.js';
import type { ChildMessage, ChildSpec, GatewaySpec } from './fan-in-gateways.js';

/** The fan-in bench's pieces (fan-in.ts runs them): the receiver's process and config, the simulators' processes. */

export const CLIENT_ID = 'district-receiver';
/** The receiver's QoS 1 filters (src/district/estate-routes.ts), whatever the number of estates: all are under gatewarden/+. */
export const RECEIVER_FILTERS = 9;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const getJson = async <T>(url: string): Promise<T> => (await fetch(url, { signal: AbortSignal.timeout(10_000) })).json() as Promise<T>;

export async function waitFor(what: string, withinMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(500);
  }
  throw new Error(`fan-in: ${what} not within ${withinMs} ms`);
}

/** The receiver as a process of its own: `gatewarden district`, as in production. */
export interface ReceiverProcess {
  start(): Promise<void>;
  /** Resolves with the exit code or signal and how long the exit took; undefined when it was not running. */
  kill(signal: NodeJS.Signals): Promise<{ exit: string; ms: number } | undefined>;
  pid(): number | undefined;
  lives: number;
}

export function receiverProcess(dir: string, config: string): ReceiverProcess {
  let child: ChildProcess | undefined;
  const handle = {
    lives: 0,
    pid: () => child?.pid,
    async start() {
      child = spawn(process.execPath, ['dist/cli.js', 'district', config], { env: { ...process.env, FANIN_DISTRICT_PASSWORD: 'district-pw' }, stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr?.on('data', (chunk: Buffer) => writeFileSync(join(dir, 'receiver.err'), chunk, { flag: 'a' }));
      handle.lives += 1;
    },
    async kill(signal: NodeJS.Signals) {
      const target = child;
      if (!target || target.exitCode !== null) return undefined;
      const sentAt = Date.now();
      // Bounded: a receiver that does not stop on SIGTERM within 15 s is killed (it is meant to exit 0 within 10 s).
      return new Promise<{ exit: string; ms: number }>((resolve) => {
        const force = setTimeout(() => target.kill('SIGKILL'), 15_000);
        target.once('exit', (code, killedBy) => {
          clearTimeout(force);
          resolve({ exit: code === null ? String(killedBy) : `exit ${code}`, ms: Date.now() - sentAt });
        });
        target.kill(signal);
      });
    },
  };
  return handle;
}

/** Simulated gateways' specs: estate e0000…, its own user, client id and Ed25519 key. */
export function gatewaySpecs(n: number): { specs: GatewaySpec[]; keys: KeyPair[] } {
  const keys = Array.from({ length: n }, (_, index) => generateEd25519(`gateway-e${String(index).padStart(4, '0')}`));
  const specs = keys.map(({ kid, privateKey }, index) => {
    const estate = `e${String(index).padStart(4, '0')}`;
    return { index, estate, prefix: `gatewarden/${estate}`, username: `gw-${estate}`, password: `pw-${estate}`, key: { kid, privateKey } };
  });
  return { specs, keys };
}

/** The receiver's config file (JSON is YAML), every estate registered with its gateway key. */
export function writeReceiverConfig(dir: string, cluster: NatsCluster, specs: readonly GatewaySpec[], keys: readonly KeyPair[], httpPort: number): string {
  writeFileSync(join(dir, 'district-key.json'), JSON.stringify(generateEd25519('district-bench')), { mode: 0o600 });
  const config = {
    district: { id: 'bench' },
    broker: { url: cluster.mqttUrls, username: 'district', passwordEnv: 'FANIN_DISTRICT_PASSWORD', clientId: CLIENT_ID, protocolVersion: 4 },
    signingKey: { file: join(dir, 'district-key.json') },
    estates: specs.map((spec, index) => ({ id: spec.estate, topicPrefix: spec.prefix, kid: spec.key.kid, publicKey: (keys[index] as KeyPair).publicKey })),
    storage: { type: 'sqlite', path: join(dir, 'district.db') },
    http: { host: '127.0.0.1', port: httpPort },
    log: { level: process.env.FANIN_RECEIVER_LOG ?? 'error' },
  };
  writeFileSync(join(dir, 'district.json'), JSON.stringify(config));
  return join(dir, 'district.json');
}

/**
 * Every QoS 1 subscription of a persistent session is a JetStream consumer in nats-server: waits until the receiver's
 * exist (enough, and the count has stood still for 6 s, at most 30 s more). Returns the seconds it took.
 */
export async function waitForReceiverConsumers(node: NatsNode, startedAt: number): Promise<{ seconds: number; consumers: number }> {
  let consumers = 0;
  let changedAt = Date.now();
  let reachedAt: number | undefined;
  await waitFor('the receiver subscriptions', 3_600_000, async () => {
    const now = (await getJson<{ consumers?: number }>(`${node.httpUrl}/jsz`)).consumers ?? 0;
    if (now !== consumers) [consumers, changedAt] = [now, Date.now()];
    reachedAt ??= consumers >= RECEIVER_FILTERS ? Date.now() : undefined;
    return reachedAt !== undefined && (Date.now() - changedAt > 6000 || Date.now() - reachedAt > 30_000);
  });
  return { seconds: Math.round((Date.now() - startedAt) / 1000 - 6), consumers };
}

export interface GatewayProcess {
  child: ChildProcess;
  ready: Promise<ChildMessage>;
  done: Promise<ChildMessage>;
}

/** Spawns the simulator processes, each with a share of the gateways (fan-in-gateways.ts; IPC: ready → start → done → stop). */
export function spawnGateways(dir: string, urls: string[], specs: readonly GatewaySpec[], seconds: number, processes: number, connectPerS: number): GatewayProcess[] {
  return Array.from({ length: processes }, (_, p) => {
    const childSpec: ChildSpec = { urls, dir, total: specs.length, seconds, connectPerS: connectPerS / processes, gateways: specs.filter((_, index) => index % processes === p) };
    const file = join(dir, `child-${p}.json`);
    writeFileSync(file, JSON.stringify(childSpec));
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/fan-in-gateways.ts', file], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const messages: ChildMessage[] = [];
    const waiters: Array<() => void> = [];
    child.on('message', (message: ChildMessage) => (messages.push(message), waiters.splice(0).forEach((wake) => wake())));
    const nth = (type: ChildMessage['type']) =>
      new Promise<ChildMessage>((resolve, reject) => {
        const look = () => {
          const found = messages.find((message) => message.type === type);
          if (found) return resolve(found);
          if (child.exitCode !== null) return reject(new Error(`fan-in: gateway process ${p} exited (${child.exitCode})`));
          waiters.push(look);
        };
        child.once('exit', look);
        look();
      });
    return { child, ready: nth('ready'), done: nth('done') };
  });
}

export async function stopAll(children: readonly ChildProcess[], receiver: ReceiverProcess, cluster: NatsCluster | undefined): Promise<void> {
  for (const child of children) {
    if (child.exitCode === null && child.connected) child.send('stop');
  }
  await Promise.race([Promise.all(children.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined))), sleep(30_000)]);
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await receiver.kill('SIGKILL');
  await cluster?.close();
}

