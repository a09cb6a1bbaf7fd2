import { watchDevices } from '../estate/device-monitor.js';
import { watchExitPasses } from '../estate/exit-overdue-monitor.js';
import { watchTrustList } from '../estate/trust-monitor.js';
import { startCheckpoints } from '../mqtt/checkpoints.js';
import type { MqttLink } from '../mqtt/mqtt-link.js';
import { scheduleRetention } from '../store/retention.js';
import type { GatewayStore, StartContext } from './context.js';
import type { GatewayEstate } from './estate.js';
import type { LocalParts } from './local-parts.js';

/** The periodic checks, callable at once (scenario runner, tests). */
export interface RuleChecks {
  checkExitPasses: () => number;
  checkLists: () => void;
}

/** Starts the background watchers (lists, exit passes, retention, checkpoints, devices); each is stopped with the gateway. */
export function startWatchers(context: StartContext, store: GatewayStore, { estate, ruleStore }: GatewayEstate, parts: LocalParts, mqtt: MqttLink): RuleChecks {
  const { config, clock, log, stops } = context;
  const { db, journal, topics, signer } = store;
  const listWatch = watchTrustList({ estate, journal, clock, log, everyMs: 60_000 });
  stops.push(listWatch.stop);
  const exitWatch = watchExitPasses({ store: ruleStore, journal, clock, log, everyMs: config.policy.exitOverdueCheckS * 1000 });
  stops.push(exitWatch.stop);
  stops.push(
    scheduleRetention({
      db,
      passageDays: config.storage.retentionDays,
      alertDays: config.storage.alertRetentionDays,
      now: () => clock.now(),
      onPurged: (counts) => log.info({ module: 'retention', ...counts }, 'expired rows purged'),
      onError: (error) => log.error({ module: 'retention', err: error.message, code: 'GW_STORAGE' }, 'retention purge failed'),
    }),
  );
  if (signer) stops.push(startCheckpoints({ journal, signer, topics, clock, log, everyS: config.mqtt.checkpointEveryS }).stop);
  const deviceWatch = watchDevices({ devices: [...parts.devices.values()], placement: parts.placement, journal, clock, log, onChange: (device) => mqtt.publishDevice(device) });
  stops.push(deviceWatch.stop);
  return { checkExitPasses: exitWatch.check, checkLists: listWatch.check };
}
