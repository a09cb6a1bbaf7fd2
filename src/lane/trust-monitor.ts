import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { isTrustStale } from '../core/trust-list.js';
import type { Journal } from '../store/journal.js';
import type { GateState } from './gate-state.js';

/**
 * Raises one `trust-stale` alert when the trust list passes its maximum age
 * (health passes are then referred to the guard) and logs when it is fresh
 * again. Checked on a timer, since a list goes stale with no event at all.
 */
export function watchTrustList(options: { gate: GateState; journal: Journal; clock: Clock; log: Logger; everyMs: number }): () => void {
  const log = options.log.child({ module: 'trust' });
  let stale = false;
  const check = () => {
    const now = options.clock.now();
    const nowStale = isTrustStale(options.gate.trust, now);
    if (nowStale === stale) return;
    stale = nowStale;
    if (!stale) {
      log.info('trust list fresh again');
      return;
    }
    const ageHours = Math.round((now - options.gate.trust.refreshedAt) / 360_000) / 10;
    log.warn({ ageHours }, 'trust list is stale: health passes are referred to the guard');
    try {
      options.journal.recordAlert({ type: 'trust-stale', severity: 'warning', at: now, reasons: ['TRUST_STALE'], details: { ageHours, refreshedAt: new Date(options.gate.trust.refreshedAt).toISOString() } });
    } catch (error) {
      log.error({ err: (error as Error).message, code: 'GW_STORAGE' }, 'cannot record trust-stale alert');
    }
  };
  check();
  const timer = setInterval(check, options.everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
