import { ChaosEstate, type ChaosReport } from './chaos-estate.js';
import { runTimeline, spread, type TimedStep } from './timeline.js';

export interface LossPlan {
  durationMs: number;
  kills: number;
  brokerOutageMs: number;
  /** Virtual entry lanes and the mean gap between arrivals at each: together the passage rate. */
  lanes: number;
  arrivalEveryMs: number;
}

/** Issue 4: 20 passages/s for 60 s, the broker down for 30 s and 5 SIGKILLs. */
export const LOSS_PLAN: LossPlan = { durationMs: 60_000, kills: 5, brokerOutageMs: 30_000, lanes: 48, arrivalEveryMs: 1200 };

/** Issue 7: 20 SIGKILLs under load, and one broker stop and start between them. */
export const KILL_STORM_PLAN: LossPlan = { durationMs: 180_000, kills: 20, brokerOutageMs: 10_000, lanes: 48, arrivalEveryMs: 1200 };

/**
 * The loss test: the load runs while the broker is down for the middle of
 * the run and the gateway is killed `kills` times (some inside the outage,
 * some outside); then every passage and alert in SQLite is looked up at the subscriber.
 */
export async function runLoss(plan: LossPlan, log: (line: string) => void): Promise<ChaosReport> {
  const estate = await ChaosEstate.open({ lanes: plan.lanes, arrivalEveryMs: plan.arrivalEveryMs, log });
  try {
    const outageStart = Math.round((plan.durationMs - plan.brokerOutageMs) / 2);
    const steps: TimedStep[] = [
      { atMs: outageStart, what: 'broker stopped', run: () => estate.brokerDown() },
      { atMs: outageStart + plan.brokerOutageMs, what: 'broker started', run: () => estate.brokerUp(plan.brokerOutageMs) },
      ...spread(plan.kills, plan.durationMs).map((atMs, i) => ({ atMs: atMs + 1, what: `SIGKILL ${i + 1}/${plan.kills}`, run: () => estate.killAndRestart() })),
    ];
    await runTimeline(plan.durationMs, steps, log);
    return await estate.settle();
  } finally {
    await estate.close();
  }
}
