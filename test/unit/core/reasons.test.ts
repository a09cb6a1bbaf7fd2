import { describe, expect, it } from 'vitest';
import { ALERT_TYPES } from '../../../src/core/alerts.js';
import { decide } from '../../../src/core/policy.js';
import { REASON_CODES, REASONS, type ReasonCode } from '../../../src/core/reasons.js';
import { LANE_CASES } from './fixtures/lane-cases.js';
import { runLane } from './fixtures/lane.js';
import { factsOf, POLICY_CASES } from './fixtures/policy-cases.js';

/** Reasons produced by running every row of the policy and lane-machine tables, on decisions and alerts alike. */
function producedReasons(): Set<ReasonCode> {
  const produced = new Set<ReasonCode>();
  for (const { given } of POLICY_CASES) decide(factsOf(given), 'p').reasons.forEach((r) => produced.add(r));
  for (const scenario of LANE_CASES) {
    for (const { effects } of runLane(scenario.events, scenario).steps) {
      for (const effect of effects) {
        if (effect.type === 'record') {
          effect.passage.decision.reasons.forEach((r) => produced.add(r));
          effect.alerts.flatMap((a) => a.reasons).forEach((r) => produced.add(r));
        }
        if (effect.type === 'alert') effect.alert.reasons.forEach((r) => produced.add(r));
      }
    }
  }
  return produced;
}

describe('reason codes', () => {
  it('are stable upper-snake-case strings, each with a description', () => {
    expect(REASON_CODES).toEqual(Object.keys(REASONS));
    for (const code of REASON_CODES) {
      expect(code).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
      expect(REASONS[code].length).toBeGreaterThan(10);
    }
  });

  it('every code is produced by at least one row of the policy or lane tables', () => {
    const produced = producedReasons();
    expect(REASON_CODES.filter((code) => !produced.has(code))).toEqual([]);
    expect([...produced].filter((code) => !REASON_CODES.includes(code))).toEqual([]);
  });

  it('alert types are unique kebab-case strings', () => {
    expect(new Set(ALERT_TYPES).size).toBe(ALERT_TYPES.length);
    for (const type of ALERT_TYPES) expect(type).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });
});
