import type { LaneSetup } from '../core/lane-types.js';
import type { Config, GateConfig, LaneConfig } from '../config/schema.js';

/** What the lane's devices tell about themselves that the core needs. */
export interface LaneHardware {
  hasPassageSensor: boolean;
  /** The thermometer's own sample period (0: every reading is a new measurement). */
  sampleRefreshMs: number;
}

/** The core's view of one configured lane. */
export function laneSetup(config: Config, gate: GateConfig, lane: LaneConfig, { hasPassageSensor, sampleRefreshMs }: LaneHardware): LaneSetup {
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
    pairingWindowMs: policy.pairingWindowMs,
    cardAloneEntry: policy.cardAloneEntry,
    sampleRefreshMs,
  };
}
