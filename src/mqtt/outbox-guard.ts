import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Db } from '../store/database.js';
import type { Journal } from '../store/journal.js';
import type { Outbox } from '../store/outbox.js';
import { Code } from '../errors.js';

/** The warning is raised at 80 % and re-armed once the outbox falls below 60 %. */
const WARN_AT = 0.8;
const REARM_AT = 0.6;

/**
 * Keeps the outbox bounded while the broker is away for long. Past `maxRows`
 * the oldest messages of the lowest priority are shed first (passage
 * messages; their rows stay in `passages`, only the live report is lost);
 * alerts are never shed, even if that means passing the bound. At 80 % an
 * `outbox-pressure` alert is raised once. Every shed range is named by a
 * signed gap record in the same transaction (docs/district.md, "Gaps"), and
 * stays in `report_log` for cmd/resend.
 */
export class OutboxGuard {
  private warned = false;
  shed = 0;

  constructor(private readonly deps: { db: Db; outbox: Outbox; journal: Journal; maxRows: number; clock: Clock; log: Logger }) {}

  /** Deletes the `count` lowest-priority rows and records their report seqs as a gap, in one transaction. */
  private shedRows(count: number): number {
    const { db, journal, outbox, clock } = this.deps;
    return db.transaction(() => {
      const { shed, reportSeqs } = outbox.shedLowest(count);
      journal.recordGap(outbox.table, reportSeqs, clock.now());
      return shed;
    })();
  }

  check(): void {
    const { outbox, maxRows, clock, log } = this.deps;
    try {
      const { depth } = outbox.stats(clock.now());
      if (depth > maxRows) {
        const removed = this.shedRows(depth - maxRows);
        this.shed += removed;
        log.warn({ removed, depth, maxRows, table: outbox.table }, 'outbox full: oldest passage messages shed, gap record queued');
      }
      if (!this.warned && depth >= maxRows * WARN_AT) {
        this.warned = true;
        this.deps.journal.recordAlert({
          type: 'outbox-pressure',
          severity: 'warning',
          at: clock.now(),
          reasons: [],
          details: { depth, maxRows, table: outbox.table },
        });
      } else if (this.warned && depth < maxRows * REARM_AT) {
        this.warned = false;
      }
    } catch (error) {
      log.error({ err: (error as Error).message, code: Code.GW_STORAGE }, 'cannot check the outbox bound');
    }
  }
}
