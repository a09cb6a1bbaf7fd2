import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startNatsCluster, type NatsCluster, type NatsNode } from '../../support/brokers/nats-cluster.js';
import type { ChildMessage } from './fan-in-gateways.js';
import { CLIENT_ID, gatewaySpecs, getJson, RECEIVER_FILTERS, receiverProcess, sleep, spawnGateways, stopAll, waitFor, waitForReceiverConsumers, writeReceiverConfig, type GatewayProcess, type ReceiverProcess } from './fan-in-setup.js';
import { CpuSampler, messagesByOutcome, percentile, readReceiverStore, type CpuFigures } from './fan-in-probe.js';
import { saveResults } from './report.js';
import type { Bench, BenchResult } from './types.js';

/**
 * Fan-in (issue 15, part 4): N simulated gateways (fan-in-gateways.ts, in a
 * few child processes, each gateway with its own SQLite outbox, report chain,
 * key and MQTT session) feed a real 3-node nats-server cluster
 * (support/brokers/nats-cluster.ts), and the district receiver (`node dist/cli.js
 * district`, its own process, a persistent QoS 1 session) reads it. Scenarios:
 * plain; a broker node (the receiver's) SIGKILLed at 1/3 of the load and
 * restarted at 2/3; the receiver SIGKILLed at 1/2 and restarted 5 s later.
 *
 * Lost = Σ over estates (gateway's own head seq − the receiver's contiguous
 * verified seq) once the gateways have drained and the receiver has settled.
 */

export type Scenario = 'plain' | 'broker-kill' | 'receiver-kill';
const SCENARIOS: readonly Scenario[] = ['plain', 'broker-kill', 'receiver-kill'];
const SETTLE_WITHIN_MS = Number(process.env.FANIN_SETTLE_MS ?? 180_000);

interface Run {
  gateways: number;
  seconds: number;
  scenario: Scenario;
  processes: number;
  /** Gateways connecting per second over all processes (0: all at once). */
  connectPerS: number;
  log: (line: string) => void;
}

type DoneMessage = Extract<ChildMessage, { type: 'done' }>;
type EstateSummary = { estate: string; completeness: { contiguousTo: number; explained: Array<{ from: number; to: number }> } };

/** broker-kill: the receiver's node SIGKILLed at 1/3 of the load, restarted at 2/3. receiver-kill: SIGKILL at 1/2, restarted 5 s later. */
async function disturb(run: Run, cluster: NatsCluster, receiver: ReceiverProcess, startAt: number, scrape: () => Promise<void>): Promise<void> {
  const { gateways: n, seconds, scenario, log } = run;
  if (scenario === 'broker-kill') {
    await sleep(startAt + (seconds * 1000) / 3 - Date.now());
    const connz = await Promise.all(cluster.nodes.map(async (node) => (await getJson<{ connections?: Array<{ mqtt_client?: string }> }>(`${node.httpUrl}/connz?limit=10000`)).connections ?? []));
    const killed = cluster.nodes[Math.max(0, connz.findIndex((list) => list.some((connection) => connection.mqtt_client === CLIENT_ID)))] as NatsNode;
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
}

/** Waits until every estate is contiguous to its gateway's head at the receiver (or SETTLE_WITHIN_MS); returns what is still behind. */
async function settleReceiver(run: Run, api: string, heads: Record<string, number>): Promise<{ lost: number; explained: number; settleS: number }> {
  let summary: EstateSummary[] = [];
  const behind = () => summary.reduce((total, estate) => total + Math.max(0, (heads[estate.estate] ?? 0) - estate.completeness.contiguousTo), 0) + run.gateways - summary.length;
  const settleStart = Date.now();
  await waitFor('the receiver to settle', SETTLE_WITHIN_MS, async () => {
    summary = await getJson<EstateSummary[]>(`${api}/api/estates`);
    return behind() === 0;
  }).catch((error: Error) => {
    const lagging = summary.filter((estate) => (heads[estate.estate] ?? 0) > estate.completeness.contiguousTo).slice(0, 3);
    run.log(`${error.message}; e.g. ${JSON.stringify(lagging.map((estate) => ({ ...estate, head: heads[estate.estate] })))}`);
  });
  const explained = summary.reduce((total, estate) => total + estate.completeness.explained.reduce((s, r) => s + r.to - r.from + 1, 0), 0);
  return { lost: behind(), explained, settleS: Math.round((Date.now() - settleStart) / 100) / 10 };
}

interface Measured {
  stopped: { exit: string; ms: number } | undefined;
  subscribeS: number;
  connected: number;
  connectS: number;
  finished: DoneMessage[];
  settled: { lost: number; explained: number; settleS: number };
  duplicates: number;
  store: ReturnType<typeof readReceiverStore>;
  cpu: CpuFigures;
}

function figuresOf(run: Run, m: Measured): Record<string, number | string> {
  const { gateways: n, seconds, scenario } = run;
  const sum = (pick: (message: DoneMessage) => number) => m.finished.reduce((total, message) => total + pick(message), 0);
  const alerts = m.store.alertDelaysMs;
  const label = `${n} gw, ${scenario}`;
  return {
    [`${label}: receiver's subscriptions (${RECEIVER_FILTERS} QoS 1 filters) in place after (s)`]: m.subscribeS,
    [`${label}: gateways connected and subscribed to cmd/+ after (s, ${run.connectPerS > 0 ? `opened ${run.connectPerS}/s` : 'all at once'}) / SUBACKs refused and retried`]: `${m.connectS} / ${sum((d) => d.subscribeRefused)}`,
    [`${label}: gateways connected / offered msg/s`]: `${m.connected} / ${Math.round((sum((d) => d.passages) + sum((d) => d.alerts)) / seconds)}`,
    [`${label}: msg/s arrived at the receiver during the load (sustained)`]: Math.round(m.store.arrivedInWindow / seconds),
    [`${label}: alert end-to-end p50 / p99 / max (ms)`]: `${percentile(alerts, 50)} / ${percentile(alerts, 99)} / ${alerts.at(-1) ?? 'n/a'} (${alerts.length} alerts)`,
    [`${label}: passage end-to-end p50 / p99 (ms)`]: `${percentile(m.store.passageDelaysMs, 50)} / ${percentile(m.store.passageDelaysMs, 99)}`,
    [`${label}: lost / duplicated / shed (explained)`]: `${m.settled.lost} / ${m.duplicates} / ${m.settled.explained}`,
    [`${label}: settled after the load (s) / backfilled by resend / resends answered`]: `${m.settled.settleS} / ${m.store.backfilled} / ${sum((d) => d.resends)}`,
    [`${label}: receiver CPU (cores) / peak RSS (MiB)`]: `${m.cpu.cores.receiver ?? 0} / ${m.cpu.rssMiB.receiver ?? 0}`,
    [`${label}: nats-server ×3 CPU (cores) / peak RSS per node (MiB)`]: `${m.cpu.cores['nats-server (3 nodes)'] ?? 0} / ${m.cpu.rssMiB['nats-server (3 nodes)'] ?? 0}`,
    [`${label}: gateway simulators CPU (cores) / event-loop delay p99 (ms)`]: `${m.cpu.cores['gateway simulators'] ?? 0} / ${Math.max(...m.finished.map((d) => d.loopDelayP99Ms))}`,
    [`${label}: whole machine busy (cores of ${cpuCount()}, others' work included)`]: m.cpu.machineCores,
    [`${label}: receiver stop on SIGTERM after the run`]: m.stopped ? `${m.stopped.exit} in ${m.stopped.ms} ms` : 'not running',
    [`${label}: findings`]: JSON.stringify(m.store.findings),
  };
}

export async function runFanIn(run: Run): Promise<{ figures: Record<string, number | string>; cpu: CpuFigures }> {
  if (!existsSync('dist/cli.js')) throw new Error('fan-in: run `npm run build` first (the receiver runs as node dist/cli.js district)');
  const { gateways: n, seconds, scenario, log } = run;
  const dir = mkdtempSync(join(tmpdir(), 'gw-fanin-'));
  const { specs, keys } = gatewaySpecs(n);
  let cluster: NatsCluster | undefined;
  let gateways: GatewayProcess[] = [];
  const httpPort = 20_000 + Math.floor(Math.random() * 20_000);
  const receiver = receiverProcess(dir, join(dir, 'district.json'));
  const api = `http://127.0.0.1:${httpPort}`;
  try {
    cluster = await startNatsCluster({ users: [...specs.map((spec) => ({ username: spec.username, password: spec.password })), { username: 'district', password: 'district-pw' }] });
    writeReceiverConfig(dir, cluster, specs, keys, httpPort);
    const subscribedAt = Date.now();
    await receiver.start();
    await waitFor('the receiver API', 60_000, async () => (await fetch(`${api}/healthz`)).ok);
    const { seconds: subscribeS, consumers } = await waitForReceiverConsumers(cluster.nodes[0] as NatsNode, subscribedAt);
    log(`${n} gateways, ${scenario}: receiver subscribed (${RECEIVER_FILTERS} filters, ${consumers} JetStream consumers) in ${subscribeS} s`);
    const connectingAt = Date.now();
    gateways = spawnGateways(dir, cluster.mqttUrls, specs, seconds, Math.min(run.processes, n), run.connectPerS);
    const connected = (await Promise.all(gateways.map((g) => g.ready))).reduce((total, message) => total + (message.type === 'ready' ? message.connected : 0), 0);
    const connectS = Math.round((Date.now() - connectingAt) / 1000);
    log(`${n} gateways, ${scenario}: ${connected}/${n} connected and subscribed in ${connectS} s`);
    const sampler = new CpuSampler(() => [
      { label: 'receiver', pid: receiver.pid() },
      ...(cluster as NatsCluster).nodes.map((node) => ({ label: 'nats-server (3 nodes)', pid: node.pid() })),
      ...gateways.map((g) => ({ label: 'gateway simulators', pid: g.child.pid })),
    ]);
    const duplicates: number[] = [];
    const scrape = async () => {
      const outcomes = messagesByOutcome(await (await fetch(`${api}/metrics`, { signal: AbortSignal.timeout(5000) })).text());
      duplicates[receiver.lives - 1] = outcomes.duplicate ?? 0;
    };
    const scraper = setInterval(() => void scrape().catch(() => {}), 2000);
    const startAt = Date.now() + 1000;
    gateways.forEach((g) => g.child.send({ startAt }));
    sampler.start();
    await disturb(run, cluster, receiver, startAt, scrape);
    const finished = (await Promise.all(gateways.map((g) => g.done))).filter((message): message is DoneMessage => message.type === 'done');
    const cpu = sampler.stop();
    const heads: Record<string, number> = Object.assign({}, ...finished.map((message) => message.heads));
    log(`${n} gateways, ${scenario}: load done (${finished.reduce((t, d) => t + d.passages, 0)} passages, ${finished.reduce((t, d) => t + d.alerts, 0)} alerts, backlog ${finished.reduce((t, d) => t + d.backlog, 0)}); waiting for the receiver to settle`);
    const settled = await settleReceiver(run, api, heads);
    await scrape().catch(() => {});
    clearInterval(scraper);
    const stopped = await receiver.kill('SIGTERM');
    const store = readReceiverStore(join(dir, 'district.db'), { from: startAt, to: startAt + seconds * 1000 });
    const measured = { stopped, subscribeS, connected, connectS, finished, settled, duplicates: duplicates.reduce((a, b) => a + (b ?? 0), 0), store, cpu };
    return { figures: figuresOf(run, measured), cpu };
  } finally {
    await stopAll(gateways.map((g) => g.child), receiver, cluster);
    // FANIN_KEEP=1 keeps the run's files (the receiver's store, the gateways' databases) for a post-mortem.
    if (process.env.FANIN_KEEP === '1') log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

function cpuCount(): number {
  return readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s/gm)?.length ?? 1;
}

const COMMAND = 'npm run build && npx tsx scripts/bench/fan-in.ts --gateways N --seconds S [--scenario plain|broker-kill|receiver-kill] [--processes 4] [--connect-per-s 20] --record';
const NOTES = [
  'Each simulated gateway: its own SQLite file (synchronous NORMAL: they stand for separate machines with their own disks) with the real Journal, Outbox, ReportChain and OutboxPublisher, its own MQTT user, client id and Ed25519 key, a persistent session subscribed to cmd/+ at QoS 1 (as on an external broker), checkpoints every 60 s; 1 passage/s and 1 fever alert/min each, phased over the gateways; opened at --connect-per-s (default 20/s; the 300-gateway plain run opened all at once).',
  'Cluster: Debian nats-server 2.9.10 ×3 on loopback (support/brokers/nats-cluster.ts: JetStream clustered, mqtt stream_replicas 3). Receiver: node dist/cli.js district, SQLite store, one persistent QoS 1 session subscribing 9 wildcard filters over all estates (gatewarden/+/…, src/district/estate-routes.ts).',
  'End-to-end = the receiver\'s arrival (received_at, the report then durably held in its pending table) − the report\'s ts (set when the gateway recorded it); it is stored as verified when the next signed checkpoint covers it. Lost = Σ (gateway head seq − receiver contiguous seq) after drain and settle.',
  'Simulators, the 3 nodes and the receiver share the same 2 cores with other helpers\' builds and tests, which ran throughout (load average 9–18 on 2 cores): see "whole machine busy"; every CPU figure here is what a process got, not what it would take alone.',
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
  for (const scenario of SCENARIOS) figures = { ...figures, ...(await runFanIn({ gateways, seconds, scenario, processes: 4, connectPerS: 20, log })).figures };
  const latest = existsSync('bench/results/latest.json') ? (JSON.parse(readFileSync('bench/results/latest.json', 'utf8')) as { results: Record<string, BenchResult> }) : { results: {} };
  const before = (latest.results as Record<string, BenchResult>)['fan-in'];
  return { name: 'fan-in', title: 'Fan-in: simulated gateways → 3-node nats-server cluster → district receiver', command: COMMAND, figures: { ...before?.figures, ...figures }, notes: before?.notes ?? NOTES };
};

if (process.argv[1]?.endsWith('fan-in.ts')) {
  const { values } = parseArgs({
    options: { gateways: { type: 'string', default: '100' }, seconds: { type: 'string', default: '60' }, scenario: { type: 'string', default: 'plain' }, processes: { type: 'string', default: '4' }, 'connect-per-s': { type: 'string', default: '20' }, record: { type: 'boolean', default: false } },
  });
  const scenarios = values.scenario === 'all' ? SCENARIOS : [values.scenario as Scenario];
  if (!scenarios.every((scenario) => SCENARIOS.includes(scenario))) throw new Error(`--scenario: one of ${SCENARIOS.join(', ')}, all`);
  for (const scenario of scenarios) {
    const { figures } = await runFanIn({ gateways: Number(values.gateways), seconds: Math.min(600, Number(values.seconds)), scenario, processes: Number(values.processes), connectPerS: Number(values['connect-per-s']), log: (line) => process.stdout.write(`${line}\n`) });
    for (const [label, value] of Object.entries(figures)) process.stdout.write(`  ${label}: ${value}\n`);
    if (values.record) recordFanIn(figures);
  }
}
