import type { Db } from './database.js';

/**
 * Purges passages older than the retention period, in small batches so a
 * large purge never holds the write lock long enough to delay a lane's
 * decision. Alerts are kept for their own, longer period.
 */
export function purgeExpired(db: Db, cutoffs: { passagesBefore: number; alertsBefore: number }, batchSize = 2000): { passages: number; alerts: number } {
  const passages = db.prepare('DELETE FROM passages WHERE rowid IN (SELECT rowid FROM passages WHERE at < ? LIMIT ?)');
  const alerts = db.prepare('DELETE FROM alerts WHERE rowid IN (SELECT rowid FROM alerts WHERE at < ? LIMIT ?)');
  // Kept reports (cmd/resend) follow storage.retentionDays: they carry the passages' keyed hashes.
  const reports = db.prepare('DELETE FROM report_log WHERE rowid IN (SELECT rowid FROM report_log WHERE at < ? LIMIT ?)');
  const drain = (statement: typeof passages, before: number) => {
    let total = 0;
    for (;;) {
      const { changes } = statement.run(before, batchSize);
      total += changes;
      if (changes < batchSize) return total;
    }
  };
  const purged = { passages: drain(passages, cutoffs.passagesBefore), alerts: drain(alerts, cutoffs.alertsBefore) };
  drain(reports, cutoffs.passagesBefore);
  return purged;
}

const DAY_MS = 86_400_000;

/** Runs the purge at start and then every `everyMs` (hourly by default). Returns the stop function. */
export function scheduleRetention(options: {
  db: Db;
  passageDays: number;
  alertDays: number;
  now: () => number;
  onPurged: (counts: { passages: number; alerts: number }) => void;
  onError: (error: Error) => void;
  everyMs?: number;
}): () => void {
  const run = () => {
    try {
      const now = options.now();
      const counts = purgeExpired(options.db, { passagesBefore: now - options.passageDays * DAY_MS, alertsBefore: now - options.alertDays * DAY_MS });
      if (counts.passages + counts.alerts > 0) options.onPurged(counts);
    } catch (error) {
      options.onError(error as Error);
    }
  };
  run();
  const timer = setInterval(run, options.everyMs ?? 3_600_000);
  timer.unref();
  return () => clearInterval(timer);
}
