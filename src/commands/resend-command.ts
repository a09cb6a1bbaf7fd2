import { Outbox } from '../store/outbox.js';
import { ReportChain } from '../store/report-chain.js';
import { notApplicable, type Applied, type ApplyContext, type ApplyDeps } from './applier.js';
import type { CommandBodies } from '../contract/command-schemas.js';

/** At most this many reports per cmd/resend: a larger backfill is asked for in parts. */
export const RESEND_MAX = 10_000;

/**
 * `cmd/resend` (the district only, docs/district.md "Backfill"): the kept
 * reports in [fromSeq, toSeq] go back into the outbox byte for byte, so the
 * district's verifier sees the very payloads, seq and hash links it missed.
 * The reply names the parts that are no longer kept (storage.retentionDays)
 * or not assigned yet.
 */
export function applyResend(body: CommandBodies['resend'], deps: ApplyDeps, ctx: ApplyContext): Applied {
  if (body.toSeq < body.fromSeq) return { ok: false, code: 'GW_COMMAND_INVALID', message: 'toSeq is before fromSeq', details: ['toSeq: expected at least fromSeq'] };
  if (body.toSeq - body.fromSeq >= RESEND_MAX) return notApplicable(`at most ${RESEND_MAX} reports per resend`, [`toSeq: expected at most fromSeq + ${RESEND_MAX - 1}`]);
  const { reports, missing } = new ReportChain(deps.db).range(body.fromSeq, body.toSeq);
  return {
    ok: true,
    data: { fromSeq: body.fromSeq, toSeq: body.toSeq, resent: reports.length, missing },
    write: () => {
      const outbox = new Outbox(deps.db);
      for (const report of reports) outbox.enqueueAsIs(report, ctx.at);
    },
  };
}
