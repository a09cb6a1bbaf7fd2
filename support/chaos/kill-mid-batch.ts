import { PTY_LANE_ID } from './chaos-config.js';
import type { ChaosReport } from './chaos-estate.js';
import { storeIntegrity, type StoreIntegrity } from './store-integrity.js';
import { runTimeline, spread } from './timeline.js';
import { opensWithoutGrant } from './unplug.js';
import { withWalkedPtyLane } from './walked-pty-lane.js';

export interface MidBatchPlan {
  durationMs: number;
  kills: number;
  /** Virtual lanes under the demo crowd: the load that fills each group commit. */
  lanes: number;
  arrivalEveryMs: number;
  /** A person at the serial lane, whose barrier simulator is the witness, every this many ms. */
  ptyArrivalEveryMs: number;
}

export const MID_BATCH_PLAN: MidBatchPlan = { durationMs: 60_000, kills: 8, lanes: 48, arrivalEveryMs: 300, ptyArrivalEveryMs: 450 };

export interface MidBatchReport extends ChaosReport, StoreIntegrity {
  ptyGrants: number;
  barrierOpens: number;
  /** OPENs at the barrier simulator with no grant on disk to account for them: must be 0. */
  opensWithoutGrant: number;
}

/**
 * SIGKILLs while the writer thread commits batches: many virtual lanes keep
 * the group commit full, and one lane on real drivers over socat ptys walks
 * a resident through as fast as it opens. Afterwards every OPEN its barrier
 * simulator received has its grant on disk, and nothing is half-written.
 */
export async function runKillMidBatch(plan: MidBatchPlan, log: (line: string) => void): Promise<MidBatchReport> {
  return withWalkedPtyLane(
    plan,
    log,
    async ({ estate }) => {
      // Jittered, so the kills fall at different points of the commit cycle (queueing, writing, fsync, acks).
      const kills = spread(plan.kills, plan.durationMs).map((atMs, i) => ({ atMs: atMs + Math.floor(Math.random() * 250), what: `SIGKILL ${i + 1}/${plan.kills}`, run: () => estate.killAndRestart() }));
      await runTimeline(plan.durationMs, kills, log);
    },
    async ({ lane, estate }) => {
      const report = await estate.settle();
      const grants = report.rows.filter((row) => row.lane === `chaos/${PTY_LANE_ID}` && row.verdict === 'grant').map((row) => row.at);
      return {
        ...report,
        ...storeIntegrity(estate.databasePath),
        ptyGrants: grants.length,
        barrierOpens: lane.opens.length,
        opensWithoutGrant: opensWithoutGrant(lane.opens, grants),
      };
    },
  );
}
