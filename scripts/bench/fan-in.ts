import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateEd25519, type KeyPair } from '../../src/secrets.js';
import { startNatsCluster, type NatsCluster, type NatsNode } from '../../test/helpers/nats-cluster.js';
import type { ChildMessage, ChildSpec, GatewaySpec } from './fan-in-gateways.js';
import { CpuSampler, messagesByOutcome, percentile, readReceiverStore, type CpuFigures } from './fan-in-probe.js';
import { saveResults } from './report.js';
import type { Bench, BenchResult } from './types.js';

/**
 * Fan-in (issue 15, part 4): N simulated gateways (fan-in-gateways.ts, in a
 * few child processes, each gateway with its own SQLite outbox, report chain,
 * key and MQTT session) feed a real 3-node nats-server cluster
 * (test/helpers/nats-cluster.ts), and the district receiver (`node dist/cli.js
 * district`, its own process, a persistent QoS 1 session) reads it. Scenarios:
 * plain; a broker node (the receiver's) SIGKILLed at 1/3 of the load and
 * restarted at 2/3; the receiver SIGKILLed at 1/2 and restarted 5 s later.
 *
 * Lost = Σ over estates (gateway's own head seq − the receiver's contiguous
 * verified seq) once the gateways have drained and the receiver has settled.
 */

export type Scenario = 'plain' | 'broker-kill' | 'receiver-kill';
const SCENARIOS: readonly Scenario[] = ['plain', 'broker-kill', 'receiver-kill'];
const CLIENT_ID = 'district-receiver';
const SETTLE_WITHIN_MS = Number(process.env.FANIN_SETTLE_MS ?? 180_000);
/** The receiver's QoS 1 filters (src/district/estate-routes.ts), whatever the number of estates: all are under gatewarden/+. */
const RECEIVER_FILTERS = 9;

interface Run {
  gateways: number;
  seconds: number;
  scenario: Scenario;
  processes: number;
  log: (line: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const getJson = async <T>(url: string): Promise<T> => (await fetch(url, { signal: AbortSignal.timeout(10_000) })).json() as Promise<T>;

async function waitFor(what: string, withinMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(500);
  }
  throw new Error(`fan-in: ${what} not within ${withinMs} ms`);
}

/** The receiver as a process of its own: `gatewarden district`, as in production. */
function receiverProcess(dir: string, config: string): { start(): Promise<void>; kill(signal: NodeJS.Signals): Promise<void>; pid(): number | undefined; lives: number } {
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
      if (!target || target.exitCode !== null) return;
      // Bounded: a receiver that does not stop on SIGTERM within 15 s is killed (seen while a resend was outstanding).
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => target.kill('SIGKILL'), 15_000);
        target.once('exit', () => (clearTimeout(force), resolve()));
        target.kill(signal);
      });
    },
  };
  return handle;
}

export async function runFanIn(run: Run): Promise<{ figures: Record<string, number | string>; cpu: CpuFigures }> {
  if (!existsSync('dist/cli.js')) throw new Error('fan-in: run `npm run build` first (the receiver runs as node dist/cli.js district)');
  const { gateways: n, seconds, scenario, log } = run;
  const dir = mkdtempSync(join(tmpdir(), 'gw-fanin-'));
  const estates = Array.from({ length: n }, (_, index) => `e${String(index).padStart(4, '0')}`);
  const keys = estates.map((estate) => generateEd25519(`gateway-${estate}`));
  const specs: GatewaySpec[] = estates.map((estate, index) => {
    const { kid, privateKey } = keys[index] as KeyPair;
    return { index, estate, prefix: `gatewarden/${estate}`, username: `gw-${estate}`, password: `pw-${estate}`, key: { kid, privateKey } };
  });
  let cluster: NatsCluster | undefined;
  const children: ChildProcess[] = [];
  const receiverDb = join(dir, 'district.db');
  const httpPort = 20_000 + Math.floor(Math.random() * 20_000);
  const receiver = receiverProcess(dir, join(dir, 'district.json'));
  const api = `http://127.0.0.1:${httpPort}`;
  try {
    cluster = await startNatsCluster({ users: [...specs.map((spec) => ({ username: spec.username, password: spec.password })), { username: 'district', password: 'district-pw' }] });
    const nodes = cluster.nodes;
    const district = generateEd25519('district-bench');
    writeFileSync(join(dir, 'district-key.json'), JSON.stringify(district), { mode: 0o600 });
    const config = {
      district: { id: 'bench' },
      broker: { url: cluster.mqttUrls, username: 'district', passwordEnv: 'FANIN_DISTRICT_PASSWORD', clientId: CLIENT_ID, protocolVersion: 4 },
      signingKey: { file: join(dir, 'district-key.json') },
      estates: specs.map((spec, index) => ({ id: spec.estate, topicPrefix: spec.prefix, kid: spec.key.kid, publicKey: (keys[index] as KeyPair).publicKey })),
      storage: { type: 'sqlite', path: receiverDb },
      http: { host: '127.0.0.1', port: httpPort },
      log: { level: process.env.FANIN_RECEIVER_LOG ?? 'error' },
    };
    writeFileSync(join(dir, 'district.json'), JSON.stringify(config));
    const subscribedAt = Date.now();
    await receiver.start();
    await waitFor('the receiver API', 60_000, async () => (await fetch(`${api}/healthz`)).ok);
    // Every QoS 1 subscription of a persistent session is a JetStream consumer in nats-server: wait until the receiver's exist
    // (done when there are enough and the count has stood still for 6 s, at most 30 s more).
    let consumers = 0;
    let changedAt = Date.now();
    let reachedAt: number | undefined;
    await waitFor('the receiver subscriptions', 3_600_000, async () => {
      const now = (await getJson<{ consumers?: number }>(`${(nodes[0] as NatsNode).httpUrl}/jsz`)).consumers ?? 0;
      if (now !== consumers) [consumers, changedAt] = [now, Date.now()];
      reachedAt ??= consumers >= RECEIVER_FILTERS ? Date.now() : undefined;
      return reachedAt !== undefined && (Date.now() - changedAt > 6000 || Date.now() - reachedAt > 30_000);
    });
    const subscribeS = Math.round((Date.now() - subscribedAt) / 1000 - 6);
    log(`${n} gateways, ${scenario}: receiver subscribed (${RECEIVER_FILTERS} filters, ${consumers} JetStream consumers) in ${subscribeS} s`);

    const processes = Math.min(run.processes, n);
    const ready: Array<Promise<ChildMessage>> = [];
    const done: Array<Promise<ChildMessage>> = [];
    for (let p = 0; p < processes; p += 1) {
      const childSpec: ChildSpec = { urls: cluster.mqttUrls, dir, total: n, seconds, gateways: specs.filter((_, index) => index % processes === p) };
      const file = join(dir, `child-${p}.json`);
      writeFileSync(file, JSON.stringify(childSpec));
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/fan-in-gateways.ts', file], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(child);
      const messages: ChildMessage[] = [];
      const waiters: Array<() => void> = [];
      child.on('message', (message: ChildMessage) => (messages.push(message), waiters.splice(0).forEach((wake) => wake())));
      const nth = (type: ChildMessage['type']) => new Promise<ChildMessage>((resolve, reject) => {
        const look = () => {
          const found = messages.find((message) => message.type === type);
          if (found) return resolve(found);
          if (child.exitCode !== null) return reject(new Error(`fan-in: gateway process ${p} exited (${child.exitCode})`));
          waiters.push(look);
        };
        child.once('exit', look);
        look();
      });
      ready.push(nth('ready'));
      done.push(nth('done'));
    }
    const connected = (await Promise.all(ready)).reduce((sum, message) => sum + (message.type === 'ready' ? message.connected : 0), 0);
    log(`${n} gateways, ${scenario}: ${connected}/${n} connected`);

    const sampler = new CpuSampler(() => [
      { label: 'receiver', pid: receiver.pid() },
      ...nodes.map((node) => ({ label: 'nats-server (3 nodes)', pid: node.pid() })),
      ...children.map((child) => ({ label: 'gateway simulators', pid: child.pid })),
    ]);
    const duplicates: number[] = [];
    const scrape = async () => {
      const outcomes = messagesByOutcome(await (await fetch(`${api}/metrics`, { signal: AbortSignal.timeout(5000) })).text());
      duplicates[receiver.lives - 1] = outcomes.duplicate ?? 0;
    };
    const scraper = setInterval(() => void scrape().catch(() => {}), 2000);
    const startAt = Date.now() + 1000;
    children.forEach((child) => child.send({ startAt }));
    sampler.start();
    let killed: NatsNode | undefined;
    if (scenario === 'broker-kill') {
      await sleep(startAt + (seconds * 1000) / 3 - Date.now());
      const connz = await Promise.all(nodes.map(async (node) => (await getJson<{ connections?: Array<{ mqtt_client?: string }> }>(`${node.httpUrl}/connz?limit=10000`)).connections ?? []));
      killed = nodes[Math.max(0, connz.findIndex((list) => list.some((connection) => connection.mqtt_client === CLIENT_ID)))] as NatsNode;
      log(`${n} gateways, ${scenario}: SIGKILL ${killed.name} (the receiver's node)`);
      await cluster.kill(killed);
      await sleep(startAt + (seconds * 2000) / 3 - Date.now());
      log(`${n} gateways, ${scenario}: restarting ${killed.name}`);
      await cluster.restart(killed);
    }
    if (scenario === 'receiver-kill') {
      await sleep(startAt + (seconds * 1000) / 2 - Date.now());
      await scrape().catch(() => {});
      log(`${n} gateways, ${scenario}: SIGKILL the receiver, restart in 5 s`);
      await receiver.kill('SIGKILL');
      await sleep(5000);
      await receiver.start();
    }
    const finished = await Promise.all(done);
    const cpu = sampler.stop();
    const loadEnd = startAt + seconds * 1000;
    const heads: Record<string, number> = Object.assign({}, ...finished.map((message) => (message.type === 'done' ? message.heads : {})));
    const sum = (pick: (message: Extract<ChildMessage, { type: 'done' }>) => number) => finished.reduce((total, message) => total + (message.type === 'done' ? pick(message) : 0), 0);
    log(`${n} gateways, ${scenario}: load done (${sum((m) => m.passages)} passages, ${sum((m) => m.alerts)} alerts, backlog ${sum((m) => m.backlog)}); waiting for the receiver to settle`);

    type Estate = { estate: string; completeness: { contiguousTo: number; explained: Array<{ from: number; to: number }> } };
    let summary: Estate[] = [];
    const behind = () => summary.reduce((total, estate) => total + Math.max(0, (heads[estate.estate] ?? 0) - estate.completeness.contiguousTo), 0) + n - summary.length;
    const settleStart = Date.now();
    await waitFor('the receiver to settle', SETTLE_WITHIN_MS, async () => {
      summary = await getJson<Estate[]>(`${api}/api/estates`);
      return behind() === 0;
    }).catch((error: Error) => {
      const lagging = summary.filter((estate) => (heads[estate.estate] ?? 0) > estate.completeness.contiguousTo).slice(0, 3);
      log(`${error.message}; e.g. ${JSON.stringify(lagging.map((estate) => ({ ...estate, head: heads[estate.estate] })))}`);
    });
    const settleS = Math.round((Date.now() - settleStart) / 100) / 10;
    await scrape().catch(() => {});
    clearInterval(scraper);
    const lost = behind();
    const explained = summary.reduce((total, estate) => total + estate.completeness.explained.reduce((s, r) => s + r.to - r.from + 1, 0), 0);
    await receiver.kill('SIGTERM');
    const store = readReceiverStore(receiverDb, { from: startAt, to: loadEnd });
    const alerts = store.alertDelaysMs;
    const label = `${n} gw, ${scenario}`;
    const figures: Record<string, number | string> = {
      [`${label}: receiver's subscriptions (${RECEIVER_FILTERS} QoS 1 filters) in place after (s)`]: subscribeS,
      [`${label}: gateways connected / offered msg/s`]: `${connected} / ${Math.round((sum((m) => m.passages) + sum((m) => m.alerts)) / seconds)}`,
      [`${label}: msg/s arrived at the receiver during the load (sustained)`]: Math.round(store.arrivedInWindow / seconds),
      [`${label}: alert end-to-end p50 / p99 / max (ms)`]: `${percentile(alerts, 50)} / ${percentile(alerts, 99)} / ${alerts.at(-1) ?? 'n/a'} (${alerts.length} alerts)`,
      [`${label}: passage end-to-end p50 / p99 (ms)`]: `${percentile(store.passageDelaysMs, 50)} / ${percentile(store.passageDelaysMs, 99)}`,
      [`${label}: lost / duplicated / shed (explained)`]: `${lost} / ${duplicates.reduce((a, b) => a + (b ?? 0), 0)} / ${explained}`,
      [`${label}: settled after the load (s) / backfilled by resend`]: `${settleS} / ${store.backfilled}`,
      [`${label}: receiver CPU (cores) / peak RSS (MiB)`]: `${cpu.cores.receiver ?? 0} / ${cpu.rssMiB.receiver ?? 0}`,
      [`${label}: nats-server ×3 CPU (cores) / peak RSS per node (MiB)`]: `${cpu.cores['nats-server (3 nodes)'] ?? 0} / ${cpu.rssMiB['nats-server (3 nodes)'] ?? 0}`,
      [`${label}: gateway simulators CPU (cores) / event-loop delay p99 (ms)`]: `${cpu.cores['gateway simulators'] ?? 0} / ${Math.max(...finished.map((m) => (m.type === 'done' ? m.loopDelayP99Ms : 0)))}`,
      [`${label}: whole machine busy (cores of ${cpuCount()}, others' work included)`]: cpu.machineCores,
      [`${label}: findings`]: JSON.stringify(store.findings),
    };
    return { figures, cpu };
  } finally {
    for (const child of children) {
      if (child.exitCode === null && child.connected) child.send('stop');
    }
    await Promise.race([Promise.all(children.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined))), sleep(30_000)]);
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await receiver.kill('SIGKILL');
    await cluster?.close();
    // FANIN_KEEP=1 keeps the run's files (the receiver's log and store, the gateways' databases) for a post-mortem.
    if (process.env.FANIN_KEEP === '1') log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

function cpuCount(): number {
  return readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s/gm)?.length ?? 1;
}

const COMMAND = 'npm run build && npx tsx scripts/bench/fan-in.ts --gateways N --seconds S [--scenario plain|broker-kill|receiver-kill] [--processes 4] --record';
const NOTES = [
  'Each simulated gateway: its own SQLite file (synchronous NORMAL: they stand for separate machines with their own disks) with the real Journal, Outbox, ReportChain and OutboxPublisher, its own MQTT user, client id and Ed25519 key, checkpoints every 60 s; 1 passage/s and 1 fever alert/min each, phased over the gateways.',
  'Cluster: Debian nats-server 2.9.10 ×3 on loopback (test/helpers/nats-cluster.ts: JetStream clustered, mqtt stream_replicas 3). Receiver: node dist/cli.js district, SQLite store, one persistent QoS 1 session subscribing 9 filters per estate.',
  'End-to-end = the receiver\'s arrival (received_at, the report then durably held in its pending table) − the report\'s ts (set when the gateway recorded it); it is stored as verified with the next report or checkpoint. Lost = Σ (gateway head seq − receiver contiguous seq) after drain and settle.',
  'Simulators, the 3 nodes and the receiver share the same 2 cores (with other engineers\' work): see "whole machine busy".',
];

/** Merges a run's figures into the fan-in entry of bench/results/latest.json and renders docs/BENCHMARKS.md. */
export function recordFanIn(figures: Record<string, number | string>, notes: readonly string[] = []): void {
  const latest = existsSync('bench/results/latest.json') ? (JSON.parse(readFileSync('bench/results/latest.json', 'utf8')) as { results: Record<string, BenchResult> }) : { results: {} as Record<string, BenchResult> };
  const before = latest.results['fan-in'];
  saveResults([
    {
      name: 'fan-in',
      title: 'Fan-in: simulated gateways → 3-node nats-server cluster → district receiver',
      command: COMMAND,
      figures: { ...before?.figures, ...figures },
      notes: [...NOTES, ...(before?.notes ?? []).filter((note) => !NOTES.includes(note) && !notes.includes(note)), ...notes],
      ranAt: new Date().toISOString(),
    },
  ]);
}

/** `npm run bench -- --only fan-in`: the three scenarios at 1,000 gateways for 90 s (--quick: 100 gateways, 30 s). */
export const fanIn: Bench = async ({ scale, log }) => {
  const gateways = Math.max(10, Math.round(1000 * scale));
  const seconds = Math.max(30, Math.round(90 * scale));
  let figures: Record<string, number | string> = {};
  for (const scenario of SCENARIOS) figures = { ...figures, ...(await runFanIn({ gateways, seconds, scenario, processes: 4, log })).figures };
  const latest = existsSync('bench/results/latest.json') ? (JSON.parse(readFileSync('bench/results/latest.json', 'utf8')) as { results: Record<string, BenchResult> }) : { results: {} };
  const before = (latest.results as Record<string, BenchResult>)['fan-in'];
  return { name: 'fan-in', title: 'Fan-in: simulated gateways → 3-node nats-server cluster → district receiver', command: COMMAND, figures: { ...before?.figures, ...figures }, notes: before?.notes ?? NOTES };
};

if (process.argv[1]?.endsWith('fan-in.ts')) {
  const { values } = parseArgs({
    options: { gateways: { type: 'string', default: '100' }, seconds: { type: 'string', default: '60' }, scenario: { type: 'string', default: 'plain' }, processes: { type: 'string', default: '4' }, record: { type: 'boolean', default: false } },
  });
  const scenarios = values.scenario === 'all' ? SCENARIOS : [values.scenario as Scenario];
  if (!scenarios.every((scenario) => SCENARIOS.includes(scenario))) throw new Error(`--scenario: one of ${SCENARIOS.join(', ')}, all`);
  for (const scenario of scenarios) {
    const { figures } = await runFanIn({ gateways: Number(values.gateways), seconds: Math.min(600, Number(values.seconds)), scenario, processes: Number(values.processes), log: (line) => process.stdout.write(`${line}\n`) });
    for (const [label, value] of Object.entries(figures)) process.stdout.write(`  ${label}: ${value}\n`);
    if (values.record) recordFanIn(figures);
  }
}
