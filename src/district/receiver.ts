import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { IPublishPacket } from 'mqtt';
import type { Logger } from 'pino';
import { ed25519PublicKey, signCommand } from '../contract/signature.js';
import { GENESIS_HASH, type Payload } from '../store/report-chain-format.js';
import type { DistrictConfig } from './config-schema.js';
import { EstateTracker } from './estate-tracker.js';
import { buildDistrictApp } from './http-api.js';
import { estatePrefix } from './load-config.js';
import { districtMetrics, type EstateView } from './metrics.js';
import { openSession, type Session } from './mqtt-session.js';
import { openPostgres } from './postgres-sql.js';
import { ReportStore, type Finding } from './report-store.js';
import { ResendScheduler } from './resend-scheduler.js';
import { openSqlite } from './sqlite-sql.js';
import type { Range } from './verify-stream.js';
import { Code } from '../errors.js';

export interface EstateSummary {
  estate: string;
  online: boolean | null;
  silent: boolean;
  lastReportAt: string | null;
  lastReportAgeS: number | null;
  completeness: { contiguousTo: number; checkpointSeq: number | null; checkpointTs: string | null; pending: number; missing: Range[]; explained: Range[] };
  findings: Record<string, number>;
}

export interface OpenAlert {
  estate: string;
  seq: number;
  verified: boolean;
  receivedAt: string;
  alert: Payload;
}

export interface ReceiverOptions {
  config: DistrictConfig;
  log: Logger;
  /** The MQTT password (from broker.passwordEnv / passwordFile; run.ts reads it). */
  password: string | undefined;
  /** The district's command key, registered on the gateways with role district. */
  signingKey: { kid: string; privateKey: string };
  /** postgres: the connection URL (from storage.url or storage.urlEnv). */
  postgresUrl?: string;
  httpToken?: string;
}

export interface DistrictReceiver {
  store: ReportStore;
  session: Session;
  http: { app: FastifyInstance; url: string } | undefined;
  estates(): Promise<EstateSummary[]>;
  stop(): Promise<void>;
}

/** Chained reports (docs/district.md, "What the gateway publishes"); status and checkpoint are read beside them. */
const CHAINED_SUFFIXES = ['passages/#', 'alerts/#', 'stats', 'audit', 'gap'];
const TICK_MS = 500;

/**
 * `gatewarden district`: the district's receiver. One persistent QoS 1
 * session over the cluster; each estate's reports verified (sequence, chain,
 * checkpoint signatures: verify-stream.ts through estate-tracker.ts), stored
 * idempotently, holes asked for with a signed cmd/resend, late reports and
 * silent estates flagged; /metrics, a small API and a page.
 */
export async function startDistrictReceiver(options: ReceiverOptions): Promise<DistrictReceiver> {
  const { config } = options;
  const log = options.log.child({ module: 'district' });
  const sql = config.storage.type === 'postgres' ? openPostgres(options.postgresUrl ?? '') : openSqlite(config.storage.path as string);
  const store = await ReportStore.open(sql);
  const clientId = config.broker.clientId ?? `${config.broker.username}-receiver`;
  const lateAfterMs = config.verify.lateAfterS * 1000;
  const silentAfterMs = config.verify.silentAfterMin * 60_000;
  const scheduler = new ResendScheduler({ ...config.resend, waitMs: config.resend.waitS * 1000, timeoutMs: config.resend.timeoutS * 1000 });

  const saved = new Map((await store.estates()).map((state) => [state.estate, state]));
  const trackers = new Map<string, EstateTracker>();
  const silent = new Set<string>();
  const note = async (finding: Finding) => {
    metrics.findings.inc({ estate: finding.estate, kind: finding.kind });
    log.warn({ estate: finding.estate, finding: finding.kind, seq: finding.seq, detail: finding.detail }, 'district finding');
    await store.addFinding(finding);
  };
  const noteSafely = (finding: Finding) => note(finding).catch((error: Error) => log.error({ err: error.message, code: Code.GW_STORAGE }, 'finding not stored'));
  for (const estate of config.estates) {
    const state = saved.get(estate.id) ?? { estate: estate.id, headSeq: 0, headHash: GENESIS_HASH, checkpoint: null, lastSignAt: null, lastReportAt: null, online: null, missing: [], explained: [] };
    const tracker = new EstateTracker(state, estatePrefix(estate), ed25519PublicKey(estate.publicKey), store, noteSafely);
    await tracker.load();
    trackers.set(estate.id, tracker);
  }
  // Longest prefix first: `gatewarden/a` must not take `gatewarden/a-b`'s topics (the '/' below sees to that too).
  const byPrefix = [...trackers.values()].sort((a, b) => b.prefix.length - a.prefix.length);
  const trackerOf = (topic: string) => byPrefix.find((tracker) => topic.startsWith(`${tracker.prefix}/`));

  const summaries = async (): Promise<EstateSummary[]> => {
    const counts = await store.findingCounts();
    const now = Date.now();
    return [...trackers.values()].map(({ state }) => ({
      estate: state.estate,
      online: state.online,
      silent: silent.has(state.estate),
      lastReportAt: state.lastReportAt === null ? null : new Date(state.lastReportAt).toISOString(),
      lastReportAgeS: state.lastReportAt === null ? null : Math.round((now - state.lastReportAt) / 1000),
      completeness: {
        contiguousTo: state.headSeq,
        checkpointSeq: state.checkpoint?.seq ?? null,
        checkpointTs: state.checkpoint?.ts ?? null,
        pending: trackers.get(state.estate)?.pendingCount() ?? 0,
        missing: state.missing,
        explained: state.explained,
      },
      findings: Object.fromEntries(counts.filter((count) => count.estate === state.estate).map((count) => [count.kind, count.count])),
    }));
  };
  const views = (): EstateView[] =>
    [...trackers.values()].map((tracker) => ({
      estate: tracker.state.estate,
      online: tracker.state.online,
      silent: silent.has(tracker.state.estate),
      lastReportAgeS: tracker.state.lastReportAt === null ? null : (Date.now() - tracker.state.lastReportAt) / 1000,
      contiguousTo: tracker.state.headSeq,
      pending: tracker.pendingCount(),
      missing: count(tracker.state.missing),
      explained: count(tracker.state.explained),
    }));
  const metrics = districtMetrics(views);

  // One thing at a time: messages, ticks and settles share the trackers' state.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work);
    queue = run.catch(() => {});
    return run;
  };

  const settle = async (tracker: EstateTracker) => {
    const { stored, wanted } = await tracker.settle(Date.now(), lateAfterMs);
    if (stored.length > 0) metrics.reports.inc({ estate: tracker.state.estate }, stored.length);
    scheduler.want(tracker.state.estate, wanted, Date.now());
  };

  const onMessage = (packet: IPublishPacket) =>
    serial(async () => {
      const tracker = trackerOf(packet.topic);
      if (!tracker) return void metrics.messages.inc({ outcome: 'unregistered' });
      const raw = packet.payload.toString('utf8');
      let payload: Payload;
      try {
        payload = JSON.parse(raw) as Payload;
        if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw new Error('not an object');
      } catch {
        metrics.messages.inc({ outcome: 'unparseable' });
        return tracker.flag('unparseable', null, packet.topic, Date.now());
      }
      const suffix = packet.topic.slice(tracker.prefix.length + 1);
      const now = Date.now();
      if (suffix === 'status') return void tracker.status(payload, now, packet.retain);
      if (suffix === 'checkpoint') {
        metrics.messages.inc({ outcome: (await tracker.checkpoint(payload, now, packet.retain)) ? 'checkpoint' : 'rejected' });
        return settle(tracker);
      }
      if (suffix.startsWith('cmd/resend/reply')) return resendReply(tracker, payload);
      const backfilled = typeof payload.seq === 'number' && scheduler.requested(tracker.state.estate, payload.seq);
      const outcome = await tracker.receive(payload, raw, packet.topic, now, backfilled, { maxPending: config.verify.maxPending, lateAfterMs });
      metrics.messages.inc({ outcome });
      // The next in line (or a gap record) can move the head now; anything else waits for the tick.
      if (outcome === 'held' && (payload.seq === tracker.state.headSeq + 1 || payload.seq === tracker.state.headSeq + 2 || suffix === 'gap')) await settle(tracker);
    });

  /** The gateway's answer to our cmd/resend: what it no longer keeps is not asked for again. */
  const resendReply = async (tracker: EstateTracker, reply: Payload) => {
    if (typeof reply.id !== 'string' || !reply.id.startsWith(`${clientId}-resend-`)) return;
    if (reply.ok !== true) return tracker.flag('resend-refused', null, JSON.stringify(reply.error ?? null), Date.now());
    const data = reply.data as { missing?: Array<Range & { reason: string }> } | undefined;
    for (const gone of data?.missing ?? []) {
      scheduler.abandon(tracker.state.estate, gone);
      await tracker.flag(gone.reason === 'purged' ? 'unrecoverable' : 'not-assigned', gone.from, `${gone.from}–${gone.to}: ${gone.reason}`, Date.now());
    }
  };

  const filters = [...trackers.values()].flatMap((tracker) => [
    ...CHAINED_SUFFIXES.map((suffix) => `${tracker.prefix}/${suffix}`),
    `${tracker.prefix}/checkpoint`,
    `${tracker.prefix}/status`,
    // The whole reply comes to our own topic (the embedded broker, MQTT 5); an external 3.1.1 broker leaves the outcome only.
    `${tracker.prefix}/cmd/resend/reply/${clientId}`,
    `${tracker.prefix}/cmd/resend/reply`,
  ]);
  const session = openSession({ broker: config.broker, clientId, password: options.password, filters, onMessage, log });

  const sendResends = () => {
    const requests = scheduler.due(Date.now(), (estate, range) => void noteSafely({ estate, kind: 'unfilled', seq: range.from, detail: `${range.from}–${range.to} asked for ${config.resend.maxAttempts} times in vain`, at: Date.now() }));
    for (const request of requests) {
      const tracker = trackers.get(request.estate) as EstateTracker;
      const body = signCommand({ id: `${clientId}-resend-${randomUUID()}`, v: 1, fromSeq: request.fromSeq, toSeq: request.toSeq }, options.signingKey);
      const replyTopic = `${tracker.prefix}/cmd/resend/reply/${clientId}`;
      metrics.resends.inc({ estate: request.estate });
      log.info({ estate: request.estate, fromSeq: request.fromSeq, toSeq: request.toSeq, attempt: request.attempt }, 'asking for a resend');
      session.client.publish(`${tracker.prefix}/cmd/resend`, JSON.stringify(body), { qos: 1, ...(config.broker.protocolVersion === 5 ? { properties: { responseTopic: replyTopic } } : {}) });
    }
  };

  const checkSilence = async (now: number) => {
    for (const tracker of trackers.values()) {
      const { estate, lastSignAt } = tracker.state;
      const quiet = lastSignAt === null ? false : now - lastSignAt > silentAfterMs;
      if (quiet && !silent.has(estate)) await tracker.flag('silent', null, `no status or checkpoint since ${new Date(lastSignAt as number).toISOString()}`, now);
      if (quiet) silent.add(estate);
      else silent.delete(estate);
    }
  };

  const tick = () =>
    serial(async () => {
      for (const tracker of trackers.values()) if (tracker.dirty || tracker.state.missing.length > 0) await settle(tracker);
      await checkSilence(Date.now());
      if (session.connected()) sendResends();
    }).catch((error: Error) => log.error({ err: error.message, code: Code.GW_STORAGE }, 'district tick failed'));
  const timer = setInterval(tick, TICK_MS);

  let http: DistrictReceiver['http'];
  if (config.http.enabled) {
    const app = buildDistrictApp({
      districtName: config.district.name ?? config.district.id,
      estates: summaries,
      alerts: async () =>
        (await store.alerts(Date.now() - config.verify.openAlertsH * 3_600_000)).map((row) => ({
          estate: row.estate,
          seq: row.seq,
          verified: row.verified === 1,
          receivedAt: new Date(row.received_at).toISOString(),
          alert: JSON.parse(row.payload) as Payload,
        })),
      findings: (filter) => store.findings(filter),
      connected: () => session.connected(),
      registry: metrics.registry,
      ...(options.httpToken === undefined ? {} : { token: options.httpToken }),
    });
    const url = await app.listen({ host: config.http.host, port: config.http.port });
    http = { app, url };
    log.info({ url }, 'district page and API');
  }

  return {
    store,
    session,
    http,
    estates: summaries,
    async stop() {
      clearInterval(timer);
      await session.stop();
      await serial(async () => {
        for (const tracker of trackers.values()) await store.saveEstate(tracker.state);
      });
      await http?.app.close();
      await store.close();
    },
  };
}

function count(ranges: readonly Range[]): number {
  return ranges.reduce((sum, range) => sum + range.to - range.from + 1, 0);
}
