import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { ReasonCode } from '../core/reasons.js';
import { isTrustStale } from '../core/trust-list.js';
import type { Journal } from '../store/journal.js';
import type { EstateState } from './estate-state.js';

/** A list whose age matters: the trust list, the risk-area list. */
interface WatchedList {
  name: 'trust list' | 'risk-area list';
  reason: ReasonCode;
  isStale(now: number): boolean;
  refreshedAt(): number | null;
}

/**
 * Raises one `trust-stale` alert when the trust list or the risk-area list
 * passes its maximum age (passes it judges are then referred to the guard) and
 * logs when it is fresh again. Checked on a timer, since a list goes stale
 * with no event at all.
 */
export function watchTrustList(options: { estate: EstateState; journal: Journal; clock: Clock; log: Logger; everyMs: number }): { check: () => void; stop: () => void } {
  const log = options.log.child({ module: 'trust' });
  const { estate } = options;
  const lists: WatchedList[] = [
    { name: 'trust list', reason: 'TRUST_STALE', isStale: (now) => isTrustStale(estate.trust, now), refreshedAt: () => estate.trust.refreshedAt },
    { name: 'risk-area list', reason: 'RISK_LIST_STALE', isStale: (now) => estate.registry?.risk(now).stale ?? false, refreshedAt: () => estate.registry?.riskRefreshedAt() ?? null },
  ];
  const stale = new Map<WatchedList, boolean>();
  const check = () => {
    const now = options.clock.now();
    for (const list of lists) {
      const nowStale = list.isStale(now);
      if (nowStale === (stale.get(list) ?? false)) continue;
      stale.set(list, nowStale);
      if (!nowStale) {
        log.info({ list: list.name }, 'list fresh again');
        continue;
      }
      const refreshedAt = list.refreshedAt() ?? now;
      const ageHours = Math.round((now - refreshedAt) / 360_000) / 10;
      log.warn({ list: list.name, ageHours }, 'list is stale: the passes it judges are referred to the guard');
      try {
        options.journal.recordAlert({ type: 'trust-stale', severity: 'warning', at: now, reasons: [list.reason], details: { list: list.name, ageHours, refreshedAt: new Date(refreshedAt).toISOString() } });
      } catch (error) {
        log.error({ err: (error as Error).message, code: 'GW_STORAGE' }, 'cannot record trust-stale alert');
      }
    }
  };
  check();
  const timer = setInterval(check, options.everyMs);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
