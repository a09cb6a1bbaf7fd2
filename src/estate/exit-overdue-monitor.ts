import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Journal } from '../store/journal.js';
import type { RuleStore } from '../store/rule-store.js';

/**
 * Raises one `exit-overdue` alert per exit pass whose holder went out and has
 * not come back by the deadline (estate plan, rule 4: "must return on time").
 * Checked on a timer with the injected clock: lateness is the absence of an event.
 */
export function watchExitPasses(options: { store: RuleStore; journal: Journal; clock: Clock; log: Logger; everyMs: number }): { check: () => number; stop: () => void } {
  const log = options.log.child({ module: 'exit-passes' });
  const check = (): number => {
    const now = options.clock.now();
    try {
      const overdue = options.store.overdueExitPasses(now);
      for (const pass of overdue) {
        options.journal.recordAlert({
          type: 'exit-overdue',
          severity: 'warning',
          at: now,
          reasons: ['EXIT_PASS_REQUIRED'],
          details: { passId: pass.passId, household: pass.household, returnBy: new Date(pass.returnBy).toISOString(), leftAt: new Date(pass.leftAt).toISOString(), overdueMin: Math.round((now - pass.returnBy) / 60_000) },
        });
        options.store.markOverdueAlerted(pass.passId, now);
        log.warn({ pass: pass.passId }, 'exit pass overdue: holder has not returned');
      }
      return overdue.length;
    } catch (error) {
      log.error({ err: (error as Error).message, code: 'GW_STORAGE' }, 'cannot check exit passes');
      return 0;
    }
  };
  const timer = setInterval(check, options.everyMs);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
