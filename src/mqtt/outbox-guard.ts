import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Db } from '../store/database.js';
import type { Journal } from '../store/journal.js';
import type { Outbox } from '../store/outbox.js';
import { MessagePriority } from './messages.js';

/** The warning is raised at 80 % and re-armed once the outbox falls below 60 %. */
const WARN_AT = 0.8;
const REARM_AT = 0.6;

/**
 * Keeps the outbox bounded while the broker is away for long. Past `maxRows`
 * the oldest messages of the lowest priority are shed first (passage
 * messages; their rows stay in `passages`, only the live report is lost);
 * alerts are never shed, even if that means passing the bound. At 80 % an
 * `outbox-pressure` alert is raised once.
 */
export class OutboxGuard {
  private readonly shedStmt;
  private warned = false;
  shed = 0;

  constructor(
    private readonly deps: { db: Db; outbox: Outbox; journal: Journal; maxRows: number; clock: Clock; log: Logger },
  ) {
    this.shedStmt = deps.db.prepare(`DELETE FROM ${deps.outbox.table} WHERE seq IN (SELECT seq FROM ${deps.outbox.table} WHERE priority < ? ORDER BY priority, seq LIMIT ?)`);
  }

  check(): void {
    const { outbox, maxRows, clock, log } = this.deps;
    try {
      const { depth } = outbox.stats(clock.now());
      if (depth > maxRows) {
        const removed = this.shedStmt.run(MessagePriority.Alert, depth - maxRows).changes;
        this.shed += removed;
        log.warn({ removed, depth, maxRows, table: outbox.table }, 'outbox full: oldest passage messages shed');
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
      log.error({ err: (error as Error).message, code: 'GW_STORAGE' }, 'cannot check the outbox bound');
    }
  }
}
