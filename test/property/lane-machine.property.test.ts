import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Credential } from '../../src/core/credential.js';
import { initialLaneState, stepLane } from '../../src/core/lane-machine.js';
import { DEFAULT_RULES, NO_RISK_AREAS, NO_STATUS } from '../../src/core/estate-facts.js';
import type { LaneEffect, LaneEvent, LaneSetup, LaneWorld } from '../../src/core/lane-types.js';
import type { Mode } from '../../src/core/mode.js';
import type { ReasonCode } from '../../src/core/reasons.js';
import { LANE_SETUP } from '../helpers/lane-setup.js';
import { propertyParameters } from './runs.js';

const setup: LaneSetup = { ...LANE_SETUP, gate: 'g', lane: 'l', policyVersion: 'prop' };

/** Credentials as the reader could return them, valid or not. */
const credentialArb: fc.Arbitrary<Credential> = fc.oneof(
  fc.record({
    kind: fc.constant('health-pass' as const),
    subject: fc.constant({ kind: 'health-pass' as const, id: 's' }),
    colour: fc.constantFrom('green' as const, 'yellow' as const, 'red' as const),
    issuer: fc.constant('k'),
    expiresAt: fc.constant(0),
    fingerprint: fc.string({ minLength: 1, maxLength: 4 }),
    problems: fc.oneof({ arbitrary: fc.constant<ReasonCode[]>([]), weight: 3 }, { arbitrary: fc.subarray<ReasonCode>(['CODE_EXPIRED', 'CODE_BAD_SIGNATURE', 'CODE_UNKNOWN_ISSUER']), weight: 1 }),
  }),
  fc.record({
    kind: fc.constant('card' as const),
    subject: fc.constant({ kind: 'card' as const, id: 'c' }),
    problems: fc.oneof({ arbitrary: fc.constant<ReasonCode[]>([]), weight: 3 }, { arbitrary: fc.constant<ReasonCode[]>(['CARD_UNKNOWN']), weight: 1 }),
  }),
  fc.constant<Credential>({ kind: 'unreadable', problems: ['CODE_MALFORMED'] }),
);

type Input =
  | { type: 'scan'; credential: Credential; direction: 'in' | 'out' }
  | { type: 'reading'; celsius: number }
  | { type: 'tick' }
  | { type: 'passage' }
  | { type: 'device'; role: 'scanner' | 'thermometer' | 'barrier'; online: boolean }
  | { type: 'release-failed' };

const inputArb: fc.Arbitrary<Input> = fc.oneof(
  { arbitrary: fc.record({ type: fc.constant('scan' as const), credential: credentialArb, direction: fc.constantFrom('in' as const, 'out' as const) }), weight: 3 },
  {
    arbitrary: fc.record({ type: fc.constant('reading' as const), celsius: fc.oneof(fc.double({ min: 30, max: 45, noNaN: true }), fc.double({ min: 35.5, max: 37.2, noNaN: true }), fc.constantFrom(Number.NaN, 36.5, 37.3, 38.5)) }),
    weight: 3,
  },
  fc.record({ type: fc.constant('tick' as const) }),
  fc.record({ type: fc.constant('passage' as const) }),
  fc.record({ type: fc.constant('device' as const), role: fc.constantFrom('scanner' as const, 'thermometer' as const, 'barrier' as const), online: fc.boolean() }),
  fc.record({ type: fc.constant('release-failed' as const) }),
);

const scriptArb = fc.record({
  mode: fc.oneof({ arbitrary: fc.constant<Mode>('normal'), weight: 4 }, { arbitrary: fc.constantFrom<Mode>('lockdown', 'emergency-open'), weight: 1 }),
  trustStale: fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 }),
  steps: fc.array(fc.tuple(inputArb, fc.integer({ min: 0, max: 6000 })), { maxLength: 40 }),
});

describe('lane machine properties', () => {
  it('never releases without a recorded grant backed by a valid credential and a fresh normal reading', () => {
    let releases = 0;
    fc.assert(
      fc.property(scriptArb, ({ mode, trustStale, steps }) => {
        let state = initialLaneState();
        let now = 1_000_000;
        let attempt = 0;
        const credentials = new Map<string, { credential: Credential; at: number; direction: 'in' | 'out' }>();
        const readings: Array<{ celsius: number; at: number }> = [];
        let lastPassageId = '';
        for (const [input, advance] of steps) {
          now += advance;
          const credential = input.type === 'scan' ? input.credential : undefined;
          const world: LaneWorld = { mode, trustStale, readCredential: () => credential as Credential, isReplayed: () => false, status: () => NO_STATUS, risk: NO_RISK_AREAS, rules: DEFAULT_RULES };
          let event: LaneEvent;
          if (input.type === 'scan') {
            attempt += 1;
            credentials.set(`a${attempt}`, { credential: input.credential, at: now, direction: input.direction });
            event = { type: 'scan', at: now, attemptId: `a${attempt}`, code: 'x', direction: input.direction };
          } else if (input.type === 'reading') {
            readings.push({ celsius: input.celsius, at: now });
            event = { type: 'reading', at: now, celsius: input.celsius };
          } else if (input.type === 'release-failed') {
            event = { type: 'release-failed', at: now, passageId: lastPassageId };
          } else {
            event = { ...input, at: now } as LaneEvent;
          }
          const step = stepLane(state, event, setup, world);
          state = step.state;
          checkEffects(step.effects, credentials, readings, mode);
          const released = step.effects.find((e) => e.type === 'release');
          if (released?.type === 'release') {
            lastPassageId = released.passageId;
            releases += 1;
          }
        }
      }),
      propertyParameters,
    );
    // The generator must reach the interesting case, or the property proves nothing.
    expect(releases).toBeGreaterThan(propertyParameters.numRuns / 20);
  });
});

function checkEffects(
  effects: readonly LaneEffect[],
  credentials: ReadonlyMap<string, { credential: Credential; at: number; direction: 'in' | 'out' }>,
  readings: ReadonlyArray<{ celsius: number; at: number }>,
  mode: Mode,
): void {
  effects.forEach((effect, index) => {
    if (effect.type !== 'release') return;
    const record = effects.slice(0, index).find((e) => e.type === 'record' && e.passage.id === effect.passageId);
    expect(record?.type).toBe('record');
    if (record?.type !== 'record') return;
    const { passage } = record;
    expect(passage.decision.verdict).toBe('grant');
    expect(mode).not.toBe('emergency-open');
    const scanned = credentials.get(passage.id);
    expect(scanned).toBeDefined();
    if (!scanned) return;
    const { credential } = scanned;
    expect(credential.kind).not.toBe('unreadable');
    expect(credential.problems).toEqual([]);
    if (credential.kind === 'health-pass') expect(credential.colour).toBe('green');
    if (scanned.direction === 'in' || mode === 'lockdown') {
      expect(passage.temperatureC).not.toBeNull();
      expect(passage.temperatureC as number).toBeLessThan(setup.screening.feverThresholdC);
      // The reading that decided was taken no earlier than the freshness window before the scan.
      const used = readings.filter((r) => Object.is(r.celsius, passage.temperatureC) && r.at >= scanned.at - setup.freshnessMs && r.at <= passage.at);
      expect(used.length).toBeGreaterThan(0);
    }
  });
}
