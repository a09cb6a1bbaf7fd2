import { Counter, Gauge, Registry } from 'prom-client';

/** A snapshot of one estate for the gauges, read at scrape time. */
export interface EstateView {
  estate: string;
  online: boolean | null;
  silent: boolean;
  lastReportAgeS: number | null;
  contiguousTo: number;
  pending: number;
  missing: number;
  explained: number;
}

/**
 * The receiver's /metrics (Prometheus text format, prom-client), on a
 * registry of its own: counters as messages go by, per-estate gauges from a
 * snapshot taken at scrape time.
 */
export function districtMetrics(snapshot: () => EstateView[]) {
  const registry = new Registry();
  const messages = new Counter({ name: 'gatewarden_district_messages_total', help: 'Messages received, by outcome', labelNames: ['outcome'] as const, registers: [registry] });
  const reports = new Counter({ name: 'gatewarden_district_reports_stored_total', help: 'Reports stored as verified', labelNames: ['estate'] as const, registers: [registry] });
  const findings = new Counter({ name: 'gatewarden_district_findings_total', help: 'Findings flagged (tampered, broken-link, conflict, late, silent, …)', labelNames: ['estate', 'kind'] as const, registers: [registry] });
  const resends = new Counter({ name: 'gatewarden_district_resend_requests_total', help: 'cmd/resend requests sent', labelNames: ['estate'] as const, registers: [registry] });
  const gauge = (name: string, help: string, value: (view: EstateView) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['estate'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const view of snapshot()) {
          const measured = value(view);
          if (measured !== null) this.set({ estate: view.estate }, measured);
        }
      },
    });
  gauge('gatewarden_district_estate_online', '1 when the estate last said it is online (its retained status, unsigned: not proof of life)', (view) => (view.online === null ? null : view.online ? 1 : 0));
  gauge('gatewarden_district_estate_silent', '1 when nothing signed (checkpoint, gap record, verified report) came within verify.silentAfterMin', (view) => (view.silent ? 1 : 0));
  gauge('gatewarden_district_estate_last_report_age_seconds', 'Seconds since the last report arrived', (view) => view.lastReportAgeS);
  gauge('gatewarden_district_estate_contiguous_seq', 'Every report up to this seq is stored as verified or named by a signed gap record', (view) => view.contiguousTo);
  gauge('gatewarden_district_estate_pending_reports', 'Reports received but not yet verified', (view) => view.pending);
  gauge('gatewarden_district_estate_missing_seqs', 'Sequence numbers neither received nor explained', (view) => view.missing);
  gauge('gatewarden_district_estate_explained_seqs', 'Sequence numbers shed by the gateway (signed gap record) and not yet backfilled', (view) => view.explained);
  return { registry, messages, reports, findings, resends };
}

export type DistrictMetrics = ReturnType<typeof districtMetrics>;
