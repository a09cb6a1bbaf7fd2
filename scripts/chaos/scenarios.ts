import type { BenchResult } from '../bench/types.js';
import type { ChaosReport } from '../../support/chaos/chaos-estate.js';
import { chaosResult } from './chaos-result.js';
import { DISK_FULL_PLAN, runDiskFull } from '../../support/chaos/disk-full.js';
import { MID_BATCH_PLAN, runKillMidBatch } from '../../support/chaos/kill-mid-batch.js';
import { KILL_STORM_PLAN, LOSS_PLAN, runLoss } from '../../support/chaos/loss.js';
import { runUnplug, UNPLUG_PLAN } from '../../support/chaos/unplug.js';

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
  kill: async ({ quick, log }) => {
    const plan = { ...KILL_STORM_PLAN, durationMs: quicken(quick, KILL_STORM_PLAN.durationMs), brokerOutageMs: quicken(quick, KILL_STORM_PLAN.brokerOutageMs), kills: quick ? 3 : KILL_STORM_PLAN.kills };
    const report = await runLoss(plan, log);
    return {
      report,
      result: chaosResult('chaos-kill', `Chaos: ${plan.kills} SIGKILLs and a broker stop and start under load`, 'npm run chaos -- --only kill', report, [
        `${plan.lanes} virtual entry lanes driven by the demo crowd, the gateway as a child process on an external Mosquitto, killed with SIGKILL ${plan.kills} times in ${plan.durationMs / 1000} s and restarted at once; the broker stopped for ${plan.brokerOutageMs / 1000} s.`,
      ]),
    };
  },
  'mid-batch': async ({ quick, log }) => {
    const plan = { ...MID_BATCH_PLAN, durationMs: quicken(quick, MID_BATCH_PLAN.durationMs), kills: quick ? 3 : MID_BATCH_PLAN.kills };
    const report = await runKillMidBatch(plan, log);
    const base = chaosResult('chaos-kill-mid-batch', 'Chaos: SIGKILLs while the writer thread group-commits, the barrier simulator as witness', 'npm run chaos -- --only mid-batch', report, [
      `${plan.lanes} virtual lanes (a person every ${plan.arrivalEveryMs} ms per free lane) and one lane on real drivers over socat ptys (a resident every ${plan.ptyArrivalEveryMs} ms); ${plan.kills} SIGKILLs at jittered moments, restarted at once; synchronous FULL.`,
      'Every OPEN the barrier simulator received must have its grant on disk; every passage and alert row parses and has its report in the chain; the chain verifies with contiguous seqs.',
    ]);
    return {
      report,
      result: {
        ...base,
        figures: {
          ...base.figures,
          'serial lane: OPEN commands at the barrier simulator': report.barrierOpens,
          'serial lane: OPENs without a grant on disk': report.opensWithoutGrant,
          'rows half-written (no report, or not parsing)': report.halfWritten.length,
          'report chain faults (seq gap, broken link)': report.chainFaults.length,
        },
      },
    };
  },
  disk: async ({ quick, log }) => {
    const plan = { ...DISK_FULL_PLAN, fullMs: quicken(quick, DISK_FULL_PLAN.fullMs), afterMs: quicken(quick, DISK_FULL_PLAN.afterMs) };
    const outcome = await runDiskFull(plan, log);
    if ('unavailable' in outcome) throw new Error(`disk-full scenario: ${outcome.unavailable}`);
    const base = chaosResult('chaos-disk-full', 'Chaos: the database disk runs full (SQLITE_FULL) and space returns', 'npm run chaos -- --only disk', outcome, [
      `The database on a 32 MiB tmpfs, filled up ${plan.beforeMs / 1000} s into the load (while the WAL still grows) and freed ${plan.fullMs / 1000} s later.`,
      'While it is full every lane refers (nothing is released unrecorded) and the storage-fault alert goes straight to the broker from memory.',
    ]);
    return {
      report: outcome,
      result: {
        ...base,
        figures: {
          ...base.figures,
          'database writes refused while full (lane referred)': outcome.storageErrors,
          'storage-fault alerts delivered (direct, from memory)': outcome.storageFaultAlerts,
          'grants recorded while full': outcome.grantsWhileFull,
          'space back → first passage recorded (ms)': Number.isFinite(outcome.recoveryMs) ? outcome.recoveryMs : 'did not recover',
        },
      },
    };
  },
  pty: async ({ quick, log }) => {
    const plan = { ...UNPLUG_PLAN, durationMs: quicken(quick, UNPLUG_PLAN.durationMs) * (quick ? 2 : 1), unpluggedMs: quicken(quick, UNPLUG_PLAN.unpluggedMs) };
    const report = await runUnplug(plan, log);
    const base = chaosResult('chaos-pty-unplug', 'Chaos: a serial scanner unplugged and replugged, the barrier simulator as witness', 'npm run chaos -- --only pty', report, [
      `One lane on real drivers over socat ptys (scanner-qr-cr, thermo-ascii-push, barrier-serial-ack) beside ${plan.lanes} virtual lanes; a resident with a fresh green pass every ${plan.ptyArrivalEveryMs} ms; the scanner pty unplugged for ${plan.unpluggedMs / 1000} s, then one SIGKILL.`,
      'Every OPEN the barrier simulator received is paired with a grant recorded before it on that lane.',
    ]);
    return {
      report,
      result: {
        ...base,
        figures: {
          ...base.figures,
          'serial lane: grants recorded': report.ptyGrants,
          'serial lane: OPEN commands at the barrier simulator': report.barrierOpens,
          'serial lane: OPENs without an earlier recorded grant': report.opensWithoutGrant,
          'device-fault alerts recorded': report.deviceFaultAlerts,
          'replug → first passage recorded on the serial lane (ms)': Number.isFinite(report.recoveryMs) ? report.recoveryMs : 'did not recover',
        },
      },
    };
  },
};
