import { ChaosEstate, type ChaosReport } from './chaos-estate.js';
import { runTimeline, spread } from './timeline.js';

export interface KillStormPlan {
  durationMs: number;
  kills: number;
  brokerOutageMs: number;
  lanes: number;
  arrivalEveryMs: number;
}

/** Issue 7: 20 SIGKILLs under load, and one broker stop and start between them. */
export const KILL_STORM_PLAN: KillStormPlan = { durationMs: 90_000, kills: 20, brokerOutageMs: 10_000, lanes: 48, arrivalEveryMs: 1200 };

export async function runKillStorm(plan: KillStormPlan, log: (line: string) => void): Promise<ChaosReport> {
  const estate = await ChaosEstate.open({ lanes: plan.lanes, arrivalEveryMs: plan.arrivalEveryMs, log });
  try {
    const outageStart = Math.round(plan.durationMs / 3);
    await runTimeline(
      plan.durationMs,
      [
        ...spread(plan.kills, plan.durationMs).map((atMs, i) => ({ atMs, what: `SIGKILL ${i + 1}/${plan.kills}`, run: () => estate.killAndRestart() })),
        { atMs: outageStart + 1, what: 'broker stopped', run: () => estate.brokerDown() },
        { atMs: outageStart + plan.brokerOutageMs, what: 'broker started', run: () => estate.brokerUp() },
      ],
      log,
    );
    return await estate.settle();
  } finally {
    await estate.close();
  }
}
