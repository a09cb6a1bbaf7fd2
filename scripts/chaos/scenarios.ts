import type { BenchResult } from '../bench/types.js';
import type { ChaosReport } from './chaos-estate.js';
import { chaosResult } from './chaos-result.js';
import { LOSS_PLAN, runLoss } from './loss.js';

export interface ScenarioOutcome {
  report: ChaosReport;
  result: Omit<BenchResult, 'ranAt'>;
}

export type Scenario = (context: { quick: boolean; log: (line: string) => void }) => Promise<ScenarioOutcome>;

/** --quick: a quarter of the time and at least two of each fault, for a smoke run while developing. */
const quicken = (quick: boolean, ms: number) => (quick ? Math.round(ms / 4) : ms);

export const SCENARIOS: Record<string, Scenario> = {
  loss: async ({ quick, log }) => {
    const plan = { ...LOSS_PLAN, durationMs: quicken(quick, LOSS_PLAN.durationMs), brokerOutageMs: quicken(quick, LOSS_PLAN.brokerOutageMs), kills: quick ? 2 : LOSS_PLAN.kills };
    const report = await runLoss(plan, log);
    return {
      report,
      result: chaosResult('chaos-loss', 'Loss test: broker down 30 s and 5 SIGKILLs under 20 passages/s for 60 s', 'npm run chaos -- --only loss', report, [
        `${plan.lanes} virtual entry lanes driven by the demo crowd (a person every ${plan.arrivalEveryMs} ms per lane when the lane is free), the gateway as a child process on an external Mosquitto, synchronous FULL.`,
        'Subscriber: persistent session (clean=false), QoS 1, on passages/# and alerts/#; every passage and alert row in SQLite is looked up by message id.',
        'Delivery is at least once: a message published but not yet deleted from the outbox when the gateway is killed is sent again after restart, and counts as a duplicate.',
      ]),
    };
  },
};
