import type { LaneSetup } from '../../src/core/lane-types.js';

/**
 * A pedestrian entry lane as the demo config describes one: thermometer and
 * passage sensor fitted, hard enforcement, fever at 37.3 °C (estate plan, rule 1),
 * a reading up to 3 s old may be paired with a scan. Spread and override per test.
 */
export const LANE_SETUP: Readonly<LaneSetup> = {
  gate: 'north',
  lane: 'in-1',
  kind: 'pedestrian',
  hasThermometer: true,
  hasPassageSensor: true,
  enforcement: 'hard',
  screening: { feverThresholdC: 37.3, plausibleMinC: 34, plausibleMaxC: 42.5 },
  freshnessMs: 3000,
  measureTimeoutMs: 5000,
  maxRemeasures: 2,
  passageTimeoutMs: 8000,
  suspectedCaseOnFever: true,
  policyVersion: 'test-1',
  pairingWindowMs: 15_000,
  cardAloneEntry: false,
  sampleRefreshMs: 0,
};
