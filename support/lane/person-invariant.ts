import { expect } from 'vitest';
import type { Credential } from '../../src/core/credential.js';
import type { LaneEffect, LaneSetup, PassageRecord } from '../../src/core/lane-types.js';
import type { Mode } from '../../src/core/mode.js';

/**
 * The gate's promise at the person level, as one checker that the lane-machine
 * property test and the fuzz run (scripts/fuzz) both apply to every release:
 * the barrier opens only for a recorded grant of a person who showed a valid,
 * green, trusted health pass of their own with no positive test, had a fresh
 * normal temperature where one is required, and meets the risk-area, list and
 * lockdown rules. The only exceptions are emergency-open and the card-alone
 * policy when the estate turned it on, and both are named on the record.
 */

/** What the estate said while the lane ran: the facts the invariant judges a grant against. */
export interface EstateFacts {
  mode: Mode;
  trustStale: boolean;
  /** The region listed as high risk, if one is. */
  riskRegion?: string | undefined;
  /** Subjects on the quarantine list. */
  quarantined: readonly string[];
  kind: LaneSetup['kind'];
  cardAloneEntry: boolean;
}

/** A scan as the lane got it, keyed by its attempt id (the passage id). */
export interface Scanned {
  credential: Credential;
  at: number;
  direction: 'in' | 'out';
}

export interface Reading {
  celsius: number;
  at: number;
}

/** Passages whose barrier this step releases, each checked to be recorded as a grant earlier in the same step. */
export function releasedPassages(effects: readonly LaneEffect[]): PassageRecord[] {
  return effects.flatMap((effect, index) => {
    if (effect.type !== 'release') return [];
    const record = effects.slice(0, index).find((e) => e.type === 'record' && e.passage.id === effect.passageId);
    expect(record?.type).toBe('record');
    return record?.type === 'record' ? [record.passage] : [];
  });
}

/** Throws (a vitest assertion error) unless the released passage meets the person-level checks; says which kind of grant it was. */
export function checkPersonCleared(passage: PassageRecord, estate: EstateFacts, setup: LaneSetup, scans: ReadonlyMap<string, Scanned>, readings: readonly Reading[]): 'pass' | 'cardAlone' {
  const { mode } = estate;
  expect(passage.decision.verdict).toBe('grant');
  expect(mode).not.toBe('emergency-open');
  const scanned = scans.get(passage.id);
  expect(scanned).toBeDefined();
  if (!scanned) return 'pass';
  const subject = passage.subject;
  expect(subject).toBeDefined();
  expect(estate.quarantined).not.toContain(subject?.id);
  const temperatureRequired = scanned.direction === 'in' || mode === 'lockdown';
  if (temperatureRequired) expectFreshNormalReading(passage, scanned, setup, readings);
  if (scanned.credential.kind !== 'health-pass') {
    // Only the card-alone policy opens for a credential that is not a health pass: a roster card, normal mode.
    expect(estate.cardAloneEntry && mode === 'normal').toBe(true);
    expect(scanned.credential).toMatchObject({ kind: 'card', problems: [] });
    expect(passage.decision.reasons).toContain('CARD_ALONE_POLICY');
    return 'cardAlone';
  }
  const pass = scanned.credential;
  expect(pass.problems).toEqual([]);
  expect(pass.colour).toBe('green');
  expect(pass.test?.result).not.toBe('positive');
  expect(estate.trustStale).toBe(false);
  // The pass is the person's own: the passage is the pass holder's.
  expect(subject).toEqual(pass.subject);
  if (estate.kind === 'vehicle') expect(passage.vehicle).toBeDefined();
  if (scanned.direction === 'in' && estate.riskRegion !== undefined && pass.origin === estate.riskRegion) {
    expect(pass.test).toMatchObject({ result: 'negative' });
    expect(pass.test?.at).toBeGreaterThanOrEqual(passage.at - 7 * 86_400_000);
  }
  if (mode === 'lockdown' && scanned.direction === 'in') expect(pass.role).toBeDefined();
  return 'pass';
}

function expectFreshNormalReading(passage: PassageRecord, scanned: Scanned, setup: LaneSetup, readings: readonly Reading[]): void {
  expect(passage.temperatureC).not.toBeNull();
  expect(passage.temperatureC as number).toBeLessThan(setup.screening.feverThresholdC);
  // The reading that decided was taken no earlier than the freshness window before the scan.
  const used = readings.filter((r) => Object.is(r.celsius, passage.temperatureC) && r.at >= scanned.at - setup.freshnessMs && r.at <= passage.at);
  expect(used.length).toBeGreaterThan(0);
}
