import type { Payload } from '../store/report-chain-format.js';
import type { EstateTracker } from './estate-tracker.js';
import type { EstateView } from './metrics.js';
import type { ReportStore } from './report-store.js';
import type { Range } from './verify-stream.js';

/** One estate as the API and the page show it. */
export interface EstateSummary {
  estate: string;
  /** As the estate's last `…/status` said. */
  online: boolean | null;
  /** Where `online` comes from: the status is unsigned (anyone on the broker path can publish one), so it never clears `silent`. */
  onlineFrom: 'unsigned status' | null;
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

type Trackers = ReadonlyMap<string, EstateTracker>;

/** Every estate with its completeness and finding counts, for /api/estates and the page. */
export async function estateSummaries(trackers: Trackers, silent: ReadonlySet<string>, store: ReportStore, now: number): Promise<EstateSummary[]> {
  const counts = await store.findingCounts();
  return [...trackers.values()].map((tracker) => {
    const { state } = tracker;
    return {
      estate: state.estate,
      online: state.online,
      onlineFrom: state.online === null ? null : 'unsigned status',
      silent: silent.has(state.estate),
      lastReportAt: state.lastReportAt === null ? null : new Date(state.lastReportAt).toISOString(),
      lastReportAgeS: state.lastReportAt === null ? null : Math.round((now - state.lastReportAt) / 1000),
      completeness: {
        contiguousTo: state.headSeq,
        checkpointSeq: state.checkpoint?.seq ?? null,
        checkpointTs: state.checkpoint?.ts ?? null,
        pending: tracker.pendingCount(),
        missing: state.missing,
        explained: state.explained,
      },
      findings: Object.fromEntries(counts.filter((count) => count.estate === state.estate).map((count) => [count.kind, count.count])),
    };
  });
}

/** The per-estate gauges' snapshot (metrics.ts), read at scrape time. */
export function estateViews(trackers: Trackers, silent: ReadonlySet<string>, now: number): EstateView[] {
  return [...trackers.values()].map((tracker) => ({
    estate: tracker.state.estate,
    online: tracker.state.online,
    silent: silent.has(tracker.state.estate),
    lastReportAgeS: tracker.state.lastReportAt === null ? null : (now - tracker.state.lastReportAt) / 1000,
    contiguousTo: tracker.state.headSeq,
    pending: tracker.pendingCount(),
    missing: countSeqs(tracker.state.missing),
    explained: countSeqs(tracker.state.explained),
  }));
}

/** Alerts received within the last `hours`, verified or still pending, newest first. */
export async function openAlerts(store: ReportStore, hours: number, now: number): Promise<OpenAlert[]> {
  return (await store.alerts(now - hours * 3_600_000)).map((row) => ({
    estate: row.estate,
    seq: row.seq,
    verified: row.verified === 1,
    receivedAt: new Date(row.received_at).toISOString(),
    alert: JSON.parse(row.payload) as Payload,
  }));
}

function countSeqs(ranges: readonly Range[]): number {
  return ranges.reduce((sum, range) => sum + range.to - range.from + 1, 0);
}
