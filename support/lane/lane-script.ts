import fc from 'fast-check';
import type { Mode } from '../../src/core/mode.js';

/**
 * Generators of lane scripts, shared by the lane-machine property test
 * (ready-made credentials) and the fuzz lane (scanned codes, support/fuzz/lane.ts):
 * only the scan differs, the events around it and the estate are the same.
 */

/** Every lane input but a scan. */
export type NonScanInput =
  | { type: 'reading'; celsius: number }
  | { type: 'tick' }
  | { type: 'passage' }
  | { type: 'device'; role: 'scanner' | 'thermometer' | 'barrier'; online: boolean }
  | { type: 'release-failed' };

/** A scan (weight 4), a reading (weight 3: any, normal, or one of `edgeReadings`), a tick, a passage, a device fault, a failed release. */
export function laneInputArb<S>(scan: fc.Arbitrary<S>, edgeReadings: readonly number[]): fc.Arbitrary<S | NonScanInput> {
  return fc.oneof(
    { arbitrary: scan, weight: 4 },
    {
      arbitrary: fc.record({ type: fc.constant('reading' as const), celsius: fc.oneof(fc.double({ min: 30, max: 45, noNaN: true }), fc.double({ min: 35.5, max: 37.2, noNaN: true }), fc.constantFrom(...edgeReadings)) }),
      weight: 3,
    },
    fc.record({ type: fc.constant('tick' as const) }),
    fc.record({ type: fc.constant('passage' as const) }),
    fc.record({ type: fc.constant('device' as const), role: fc.constantFrom('scanner' as const, 'thermometer' as const, 'barrier' as const), online: fc.boolean() }),
    fc.record({ type: fc.constant('release-failed' as const) }),
  );
}

/** The estate around the lane (spread first into a script's fc.record): mode, trust, risk listing, quarantine, lane kind, card-alone policy. */
export function estateArbs(quarantinable: readonly string[]) {
  return {
    mode: fc.oneof({ arbitrary: fc.constant<Mode>('normal'), weight: 4 }, { arbitrary: fc.constantFrom<Mode>('lockdown', 'emergency-open'), weight: 1 }),
    trustStale: fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 }),
    riskListed: fc.boolean(),
    quarantined: fc.subarray([...quarantinable]),
    kind: fc.constantFrom('pedestrian' as const, 'vehicle' as const),
    cardAloneEntry: fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, { arbitrary: fc.constant(true), weight: 1 }),
  };
}
