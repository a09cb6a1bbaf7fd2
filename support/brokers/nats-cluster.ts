import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real NATS cluster on loopback with an MQTT listener on every node, for
 * failover tests: Debian's `nats-server` (2.9), one process per node, each with
 * its own JetStream store, routes to the others, and `mqtt { stream_replicas }`
 * equal to the cluster size, so the MQTT sessions, retained messages and QoS 1
 * queues (all JetStream streams in nats-server) survive the loss of a node.
 * Wrap tests in describeWithTools(NATS_TOOLS, …).
 *
 * nats-server's MQTT is 3.1.1 only (protocolVersion 4), has no QoS 2 in 2.9,
 * and needs JetStream enabled on the account the MQTT user is in.
 */
export const NATS_TOOLS = ['nats-server'] as const;

export interface NatsUser {
  username: string;
  password: string;
}

export interface NatsNode {
  name: string;
  /** `mqtt://127.0.0.1:<port>` of this node's MQTT listener. */
  mqttUrl: string;
  /** Monitoring endpoint (`/varz`, `/routez`, `/jsz`, `/healthz`). */
  httpUrl: string;
  running(): boolean;
  /** The node's process id while it runs (a bench reads its CPU and RSS from /proc). */
  pid(): number | undefined;
}

export interface NatsCluster {
  nodes: readonly NatsNode[];
  /** Every node's MQTT URL, in node order. */
  mqttUrls: string[];
  /** The node whose MQTT listener is `url`. */
  nodeAt(url: string): NatsNode;
  /** The last lines a node logged (for a failure message). */
  logOf(node: NatsNode): string;
  /** SIGKILL: the node vanishes as in a crash, without closing its sessions cleanly. */
  kill(node: NatsNode): Promise<void>;
  /** Starts a killed node again on its ports and store, and waits until it has rejoined the cluster. */
  restart(node: NatsNode): Promise<void>;
  close(): Promise<void>;
}

const READY_WITHIN_MS = 30_000;
/** Last bytes of each node's log kept for an error message. */
const LOG_TAIL = 16_384;

interface NodePorts {
  client: number;
  cluster: number;
  http: number;
  mqtt: number;
}

export async function startNatsCluster(options: { users: readonly NatsUser[]; size?: number }): Promise<NatsCluster> {
  const size = options.size ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'gw-nats-'));
  const free = await freePorts(size * 4);
  const ports: NodePorts[] = Array.from({ length: size }, (_, index) => {
    const [client, cluster, http, mqtt] = free.slice(index * 4, index * 4 + 4) as [number, number, number, number];
    return { client, cluster, http, mqtt };
  });
  const names = ports.map((_, index) => `n${index + 1}`);
  const confFiles = ports.map((port, index) => {
    const name = names[index] as string;
    mkdirSync(join(dir, name));
    const file = join(dir, `${name}.conf`);
    writeFileSync(file, nodeConfig({ name, dir: join(dir, name), ports: port, routes: ports.map((p) => p.cluster), size, users: options.users }));
    return file;
  });
  const children: (ChildProcess | undefined)[] = ports.map(() => undefined);
  const logs = ports.map(() => '');
  const spawnNode = (index: number) => {
    const child = spawn('nats-server', ['-c', confFiles[index] as string], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => (logs[index] = (logs[index] + chunk.toString()).slice(-LOG_TAIL)));
    children[index] = child;
  };
  const nodes: NatsNode[] = ports.map((port, index) => ({
    name: names[index] as string,
    mqttUrl: `mqtt://127.0.0.1:${port.mqtt}`,
    httpUrl: `http://127.0.0.1:${port.http}`,
    running: () => alive(children[index]),
    pid: () => (alive(children[index]) ? children[index]?.pid : undefined),
  }));
  const indexOf = (node: NatsNode) => nodes.indexOf(node);
  const stopAll = async () => {
    await Promise.all(children.map((child) => killAndWait(child, 'SIGTERM')));
    children.fill(undefined);
  };
  const ready = async (index: number, health: Health) => {
    try {
      await waitUntilReady(nodes[index] as NatsNode, size, health, () => alive(children[index]));
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${names[index]} log:\n${logs[index]}`, { cause: error });
    }
  };

  // A test that dies before close() must not leave three servers behind.
  const killOnExit = () => children.forEach((child) => child?.kill('SIGKILL'));
  process.once('exit', killOnExit);
  for (let index = 0; index < size; index += 1) spawnNode(index);
  try {
    for (let index = 0; index < size; index += 1) await ready(index, 'full');
  } catch (error) {
    process.removeListener('exit', killOnExit);
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    nodes,
    mqttUrls: nodes.map((node) => node.mqttUrl),
    nodeAt(url) {
      const node = nodes.find((candidate) => candidate.mqttUrl === url);
      if (!node) throw new Error(`no node listens at ${url}`);
      return node;
    },
    logOf: (node) => logs[indexOf(node)] ?? '',
    async kill(node) {
      const index = indexOf(node);
      await killAndWait(children[index], 'SIGKILL');
      children[index] = undefined;
    },
    async restart(node) {
      const index = indexOf(node);
      if (node.running()) throw new Error(`${node.name} is running`);
      spawnNode(index);
      await ready(index, 'server');
    },
    async close() {
      process.removeListener('exit', killOnExit);
      await stopAll();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One node's config: the nats-server config format (docs.nats.io, "Configuration"). */
function nodeConfig(options: { name: string; dir: string; ports: NodePorts; routes: readonly number[]; size: number; users: readonly NatsUser[] }): string {
  const { ports } = options;
  const quote = (text: string) => JSON.stringify(text);
  return [
    `server_name: ${options.name}`,
    `listen: 127.0.0.1:${ports.client}`,
    `http: 127.0.0.1:${ports.http}`,
    // Small limits: three nodes share a test machine; the MQTT streams need little.
    `jetstream { store_dir: ${quote(options.dir)}, max_memory_store: 64MB, max_file_store: 1GB }`,
    // One node is a plain server: a cluster of one never elects a JetStream meta leader.
    ...(options.size > 1 ? [`cluster { name: gatewarden-test, listen: 127.0.0.1:${ports.cluster}, routes: [${options.routes.map((port) => `nats-route://127.0.0.1:${port}`).join(', ')}] }`] : []),
    // Sessions, retained messages and QoS 1 queues are JetStream streams: one replica per node.
    `mqtt { listen: 127.0.0.1:${ports.mqtt}, stream_replicas: ${options.size} }`,
    `authorization { users: [${options.users.map((user) => `{ user: ${quote(user.username)}, password: ${quote(user.password)} }`).join(', ')}] }`,
    '',
  ].join('\n');
}

/**
 * `full`: /healthz, every stream and consumer the node holds current (a new
 * cluster). `server`: /healthz?js-enabled-only=true, JetStream up, with the
 * routes and the meta leader checked beside it (a restarted node): on 2.9.10 even
 * `js-server-only` goes on naming an MQTT consumer "not current" on a restarted
 * node for over 30 s (seen: `$MQTT_msgs > <session>…`, `$MQTT_rmsgs_<server>`)
 * while the node serves MQTT and its replicas catch up from the leaders.
 */
type Health = 'full' | 'server';

/** A node is ready when it has a route to every other node, the JetStream meta group has a leader, and its health check passes. */
async function waitUntilReady(node: NatsNode, size: number, health: Health, running: () => boolean): Promise<void> {
  const deadline = Date.now() + READY_WITHIN_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (!running()) throw new Error(`nats-server ${node.name} exited`);
    try {
      const routez = (await getJson(`${node.httpUrl}/routez`)) as { num_routes?: number };
      const jsz = (await getJson(`${node.httpUrl}/jsz`)) as { meta_cluster?: { leader?: string } };
      const healthz = (await getJson(`${node.httpUrl}/healthz${health === 'server' ? '?js-enabled-only=true' : ''}`)) as { status?: string; error?: string };
      last = `routes ${routez.num_routes ?? 0}/${size - 1}, meta leader ${jsz.meta_cluster?.leader || 'none'}, health ${healthz.status ?? '?'}${healthz.error ? ` (${healthz.error})` : ''}`;
      if (routez.num_routes === size - 1 && (size === 1 || jsz.meta_cluster?.leader) && healthz.status === 'ok') return;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`nats-server ${node.name} not ready within ${READY_WITHIN_MS} ms: ${last}`);
}

/** `count` distinct ports that were free a moment ago: all held open together, so none is handed out twice. */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let index = 0; index < count; index += 1) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    }
    return servers.map((server) => (server.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return response.json();
}

function alive(child: ChildProcess | undefined): child is ChildProcess {
  return child !== undefined && child.exitCode === null && child.signalCode === null;
}

async function killAndWait(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!alive(child)) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
