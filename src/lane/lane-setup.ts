import type { LaneSetup } from '../core/lane-types.js';

/** The devices a lane uses, by slot: ids of entries in `devices`. */
export interface LaneSlots {
  scanner: string;
  exitScanner?: string | undefined;
  /** A vehicle lane's window scanner for the occupants' health passes. */
  codeScanner?: string | undefined;
  thermometer?: string | undefined;
  barrier: string;
  indicator?: string | undefined;
  announcer?: string | undefined;
}

/** One configured lane (`gates[].lanes[]`), as much of it as a lane needs. */
export interface LaneSettings {
  id: string;
  direction: 'in' | 'out' | 'both';
  kind: LaneSetup['kind'];
  temperatureEnforcement: LaneSetup['enforcement'];
  devices: LaneSlots;
}

/** One configured gate and its lanes. */
export interface GateSettings {
  id: string;
  lanes: readonly LaneSettings[];
}

/** The screening policy every lane follows (`policy`). */
export interface LanePolicy {
  version: string;
  feverThresholdC: number;
  plausibleMinC: number;
  plausibleMaxC: number;
  readingFreshnessMs: number;
  measureTimeoutMs: number;
  maxRemeasures: number;
  passageTimeoutMs: number;
  suspectedCaseOnFever: boolean;
  pairingWindowMs: number;
  cardAloneEntry: boolean;
}

/** What the lane's devices tell about themselves that the core needs. */
export interface LaneHardware {
  hasPassageSensor: boolean;
  /** The thermometer's own sample period (0: every reading is a new measurement). */
  sampleRefreshMs: number;
}

/** The core's view of one configured lane. */
export function laneSetup(policy: LanePolicy, gate: string, lane: LaneSettings, { hasPassageSensor, sampleRefreshMs }: LaneHardware): LaneSetup {
  return {
    gate,
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
