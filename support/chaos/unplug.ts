import { PTY_LANE_ID } from './chaos-config.js';
import type { ChaosReport } from './chaos-estate.js';
import type { RecordedRow } from './ledger.js';
import { runTimeline } from './timeline.js';
import { withWalkedPtyLane } from './walked-pty-lane.js';

export interface UnplugPlan {
  durationMs: number;
  unpluggedMs: number;
  /** A person at the serial lane every this many ms. */
  ptyArrivalEveryMs: number;
  lanes: number;
  arrivalEveryMs: number;
}

export const UNPLUG_PLAN: UnplugPlan = { durationMs: 40_000, unpluggedMs: 8000, ptyArrivalEveryMs: 1500, lanes: 24, arrivalEveryMs: 1200 };

export interface UnplugReport extends ChaosReport {
  ptyGrants: number;
  /** OPEN commands the barrier simulator received. */
  barrierOpens: number;
  /** OPENs with no earlier recorded grant on that lane to account for them: must be 0. */
  opensWithoutGrant: number;
  deviceFaultAlerts: number;
  /** Replug → first passage recorded on the serial lane (ms). */
  recoveryMs: number;
}

/**
 * A lane on real serial drivers beside the virtual crowd: its scanner's pty is
 * unplugged and replugged under load, then the gateway is SIGKILLed once (the
 * new process must reopen the ports). The barrier simulator's OPENs are
 * checked against the lane's recorded grants.
 */
export async function runUnplug(plan: UnplugPlan, log: (line: string) => void): Promise<UnplugReport> {
  let unpluggedAt = 0;
  let replugAt = 0;
  return withWalkedPtyLane(
    plan,
    log,
    async ({ lane, estate }) => {
      const unplugAt = Math.round(plan.durationMs / 4);
      await runTimeline(
        plan.durationMs,
        [
          { atMs: unplugAt, what: 'scanner pty unplugged', run: async () => void ((unpluggedAt = Date.now()), await lane.unplugScanner()) },
          { atMs: unplugAt + plan.unpluggedMs, what: 'scanner pty replugged', run: async () => void (await lane.replugScanner(), (replugAt = Date.now())) },
          { atMs: Math.round((plan.durationMs * 3) / 4), what: 'SIGKILL', run: () => estate.killAndRestart() },
        ],
        log,
      );
    },
    async ({ lane, estate }) => {
      estate.recordFault({ kind: 'unplug', startedAt: unpluggedAt, endedAt: replugAt });
      const report = await estate.settle();
      const { rows } = report;
      const ptyPassages = rows.filter((row) => row.lane === `chaos/${PTY_LANE_ID}`);
      const grants = ptyPassages.filter((row) => row.verdict === 'grant').map((row) => row.at);
      const afterReplug = ptyPassages.filter((row) => row.at >= replugAt).map((row) => row.at);
      return {
        ...report,
        ptyGrants: grants.length,
        barrierOpens: lane.opens.length,
        opensWithoutGrant: opensWithoutGrant(lane.opens, grants),
        deviceFaultAlerts: rows.filter((row: RecordedRow) => row.type === 'device-fault').length,
        recoveryMs: afterReplug.length > 0 ? Math.min(...afterReplug) - replugAt : Number.POSITIVE_INFINITY,
      };
    },
  );
}

/**
 * Pairs each OPEN, in time order, with the earliest unused grant recorded
 * before it; an OPEN left without one is a release no decision accounts for.
 */
export function opensWithoutGrant(opens: readonly number[], grants: readonly number[]): number {
  const sortedGrants = [...grants].sort((a, b) => a - b);
  let next = 0;
  let unaccounted = 0;
  for (const open of [...opens].sort((a, b) => a - b)) {
    if (next < sortedGrants.length && (sortedGrants[next] as number) <= open) next += 1;
    else unaccounted += 1;
  }
  return unaccounted;
}
