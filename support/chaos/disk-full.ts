import { setTimeout as sleep } from 'node:timers/promises';
import { ChaosEstate, type ChaosReport } from './chaos-estate.js';
import { SmallDisk } from './small-disk.js';

export interface DiskFullPlan {
  /** Load before the disk fills: short, so the WAL is still growing and must allocate. */
  beforeMs: number;
  fullMs: number;
  afterMs: number;
  lanes: number;
  arrivalEveryMs: number;
}

export const DISK_FULL_PLAN: DiskFullPlan = { beforeMs: 3000, fullMs: 20_000, afterMs: 15_000, lanes: 48, arrivalEveryMs: 1200 };

export interface DiskFullReport extends ChaosReport {
  /** Storage-fault alerts that reached the subscriber (they bypass the outbox: the database is what failed). */
  storageFaultAlerts: number;
  /** Grants recorded while the disk was full (allowed only if SQLite still had room, never unrecorded). */
  grantsWhileFull: number;
  /** Disk freed → first passage recorded again (ms). */
  recoveryMs: number;
}

/**
 * The database on a small tmpfs that runs full under load: the lanes must
 * refer (nothing released unrecorded), a storage-fault alert must go out, and
 * recording must resume once space returns.
 */
export async function runDiskFull(plan: DiskFullPlan, log: (line: string) => void): Promise<DiskFullReport | { unavailable: string }> {
  const disk = SmallDisk.mount(32);
  if ('unavailable' in disk) return disk;
  try {
    const estate = await ChaosEstate.open({ lanes: plan.lanes, arrivalEveryMs: plan.arrivalEveryMs, databaseDir: disk.databaseDir, log });
    try {
      await sleep(plan.beforeMs);
      disk.fill();
      // From here on no write can allocate: what was recorded while filling does not count as "while full".
      const fullAt = Date.now();
      log('disk full');
      await sleep(plan.fullMs);
      const freedAt = Date.now();
      disk.free();
      log(`space back after ${freedAt - fullAt} ms`);
      estate.recordFault({ kind: 'disk-full', startedAt: fullAt, endedAt: freedAt });
      await sleep(plan.afterMs);
      const report = await estate.settle();
      const { rows } = report;
      const afterFree = rows.filter((row) => row.table === 'passages' && row.at >= freedAt).map((row) => row.at);
      let storageFaultAlerts = 0;
      for (const receipt of estate.subscriber.receipts.values()) if (receipt.topic.endsWith('/alerts/storage-fault')) storageFaultAlerts += 1;
      return {
        ...report,
        storageFaultAlerts,
        grantsWhileFull: rows.filter((row) => row.verdict === 'grant' && row.at >= fullAt && row.at < freedAt).length,
        recoveryMs: afterFree.length > 0 ? Math.min(...afterFree) - freedAt : Number.POSITIVE_INFINITY,
      };
    } finally {
      await estate.close();
    }
  } finally {
    disk.unmount();
  }
}
