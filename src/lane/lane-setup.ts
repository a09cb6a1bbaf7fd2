import type { LaneSetup } from '../core/lane-types.js';
import type { Config, GateConfig, LaneConfig } from '../config/schema.js';

/** The core's view of one configured lane. */
export function laneSetup(config: Config, gate: GateConfig, lane: LaneConfig, hasPassageSensor: boolean): LaneSetup {
  const { policy } = config;
  return {
    gate: gate.id,
    lane: lane.id,
    kind: lane.kind,
    hasThermometer: lane.devices.thermometer !== undefined,
    hasPassageSensor,
    enforcement: lane.temperatureEnforcement,
    screening: { feverThresholdC: policy.feverThresholdC, plausibleMinC: policy.plausibleMinC, plausibleMaxC: policy.plausibleMaxC },
    freshnessMs: policy.readingFreshnessMs,
    measureTimeoutMs: policy.measureTimeoutMs,
    maxRemeasures: policy.maxRemeasures,
    passageTimeoutMs: policy.passageTimeoutMs,
    suspectedCaseOnFever: policy.suspectedCaseOnFever,
    policyVersion: policy.version,
  };
}
