import type { Logger } from 'pino';
import { ed25519PublicKey } from '../contract/signature.js';
import { GENESIS_HASH } from '../store/report-chain-format.js';
import type { DistrictConfig } from './config-schema.js';
import { EstateRoutes } from './estate-routes.js';
import { EstateTracker } from './estate-tracker.js';
import { estatePrefix } from './load-config.js';
import { districtMetrics, type DistrictMetrics } from './metrics.js';
import { openPostgres } from './postgres-sql.js';
import { ReportStore, type EstateState, type Finding } from './report-store.js';
import { ResendScheduler } from './resend-scheduler.js';
import { openSqlite } from './sqlite-sql.js';
import { estateViews } from './receiver-views.js';

/** What the receiver's parts share: the store, one tracker per registered estate, the routes to them, the metrics. */
export interface ReceiverContext {
  config: DistrictConfig;
  log: Logger;
  clientId: string;
  store: ReportStore;
  trackers: ReadonlyMap<string, EstateTracker>;
  routes: EstateRoutes<EstateTracker>;
  /** Estates with nothing signed (checkpoint, gap record, verified report) within verify.silentAfterMin. */
  silent: Set<string>;
  scheduler: ResendScheduler;
  metrics: DistrictMetrics;
  /** Runs `work` after whatever came before it: messages, ticks and settles share the trackers' state. */
  serial<T>(work: () => Promise<T>): Promise<T>;
  /** Counts, logs and stores a finding; a store failure is logged, never thrown. */
  note(finding: Finding): Promise<void>;
}

/** Opens the store and builds a tracker for every estate of the config from what the store kept of it. */
export async function openReceiverContext(config: DistrictConfig, baseLog: Logger, postgresUrl: string | undefined): Promise<ReceiverContext> {
  const log = baseLog.child({ module: 'district' });
  const sql = config.storage.type === 'postgres' ? openPostgres(postgresUrl ?? '') : openSqlite(config.storage.path as string);
  const store = await ReportStore.open(sql);
  const clientId = config.broker.clientId ?? `${config.broker.username}-receiver`;
  const trackers = new Map<string, EstateTracker>();
  const silent = new Set<string>();
  const metrics = districtMetrics(() => estateViews(trackers, silent, Date.now()));
  const note = async (finding: Finding) => {
    metrics.findings.inc({ estate: finding.estate, kind: finding.kind });
    log.warn({ estate: finding.estate, finding: finding.kind, seq: finding.seq, detail: finding.detail }, 'district finding');
    await store.addFinding(finding).catch((error: Error) => log.error({ err: error.message, code: 'GW_STORAGE' }, 'finding not stored'));
  };
  const saved = new Map((await store.estates()).map((state) => [state.estate, state]));
  for (const estate of config.estates) {
    const tracker = new EstateTracker(saved.get(estate.id) ?? freshState(estate.id), estatePrefix(estate), ed25519PublicKey(estate.publicKey), store, note);
    await tracker.load();
    trackers.set(estate.id, tracker);
  }
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work);
    queue = run.catch(() => {});
    return run;
  };
  const { resend } = config;
  const scheduler = new ResendScheduler({ ...resend, waitMs: resend.waitS * 1000, timeoutMs: resend.timeoutS * 1000 });
  return { config, log, clientId, store, trackers, routes: new EstateRoutes(trackers.values(), clientId), silent, scheduler, metrics, serial, note };
}

function freshState(estate: string): EstateState {
  return { estate, headSeq: 0, headHash: GENESIS_HASH, checkpoint: null, lastSignAt: null, lastReportAt: null, online: null, missing: [], explained: [] };
}
