import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Credential, HealthPass, Subject } from '../../src/core/credential.js';
import { initialLaneState, stepLane } from '../../src/core/lane-machine.js';
import { DEFAULT_RULES, NO_STATUS, type RiskAreas, type SubjectStatus } from '../../src/core/estate-facts.js';
import type { LaneEvent, LaneSetup, LaneWorld } from '../../src/core/lane-types.js';
import type { ReasonCode } from '../../src/core/reasons.js';
import { LANE_SETUP } from '../../support/lane/lane-setup.js';
import { estateArbs, laneInputArb, type NonScanInput } from '../../support/lane/lane-script.js';
import { checkPersonCleared, releasedPassages, type Scanned } from '../../support/lane/person-invariant.js';
import { propertyParameters } from './runs.js';

/**
 * The gate's promise at the person level (support/lane/person-invariant.ts):
 * whatever a person shows (a card, a visitor pass, a plate, a health pass, or
 * a mix of them in any order), every release passes the person-level checks.
 */

const T0 = 1_000_000_000;
const RISK_REGION = '350502';
const RESIDENT = 'r1';
const person = (id: string): Subject => ({ kind: 'health-pass', id });

const healthPassArb: fc.Arbitrary<HealthPass> = fc.record({
  kind: fc.constant('health-pass' as const),
  subject: fc.constantFrom(person(RESIDENT), person('v1'), person('x9')),
  colour: fc.oneof({ arbitrary: fc.constant('green' as const), weight: 4 }, { arbitrary: fc.constantFrom('yellow' as const, 'red' as const), weight: 1 }),
  issuer: fc.constant('k'),
  expiresAt: fc.constant(0),
  fingerprint: fc.string({ minLength: 1, maxLength: 4 }),
  problems: fc.oneof({ arbitrary: fc.constant<ReasonCode[]>([]), weight: 4 }, { arbitrary: fc.subarray<ReasonCode>(['CODE_EXPIRED', 'CODE_BAD_SIGNATURE', 'CODE_UNKNOWN_ISSUER']), weight: 1 }),
  origin: fc.option(fc.constantFrom(RISK_REGION, '110101'), { nil: undefined }),
  test: fc.option(fc.record({ at: fc.constantFrom(T0 - 3 * 86_400_000, T0 - 9 * 86_400_000), result: fc.constantFrom('negative' as const, 'positive' as const) }), { nil: undefined }),
  role: fc.option(fc.constantFrom('resident' as const, 'medical' as const), { nil: undefined }),
}).map((pass) => Object.fromEntries(Object.entries(pass).filter(([, v]) => v !== undefined)) as unknown as HealthPass);

const identityArb: fc.Arbitrary<Credential> = fc.oneof(
  fc.record({ kind: fc.constant('card' as const), subject: fc.constant(person(RESIDENT)), role: fc.constant('resident' as const), problems: fc.constant<ReasonCode[]>([]) }),
  fc.constant<Credential>({ kind: 'card', subject: { kind: 'card', id: 'CAFE0001' }, problems: ['CARD_UNKNOWN'] }),
  fc.constant<Credential>({ kind: 'visitor-pass', subject: person('v1'), visitor: { passId: 'V1', hostHousehold: 'h', origin: RISK_REGION }, problems: [] }),
  fc.constant<Credential>({ kind: 'plate', subject: { kind: 'plate', id: 'MIN12345' }, vehicle: { role: 'resident' }, problems: [] }),
  fc.constant<Credential>({ kind: 'plate', subject: { kind: 'plate', id: 'MIN00000' }, problems: ['PLATE_UNKNOWN'] }),
  fc.constant<Credential>({ kind: 'unreadable', problems: ['CODE_MALFORMED'] }),
);

type Input = { type: 'scan'; credential: Credential; direction: 'in' | 'out' } | NonScanInput;

const inputArb: fc.Arbitrary<Input> = laneInputArb(
  fc.record({ type: fc.constant('scan' as const), credential: fc.oneof(healthPassArb, identityArb), direction: fc.constantFrom('in' as const, 'out' as const) }),
  [Number.NaN, 36.5, 37.3, 38.5],
);

const scriptArb = fc.record({
  ...estateArbs([RESIDENT, 'v1', 'x9']),
  sampleRefreshMs: fc.constantFrom(0, 500),
  steps: fc.array(fc.tuple(inputArb, fc.integer({ min: 0, max: 6000 })), { maxLength: 40 }),
});

describe('lane machine properties, at the person level', () => {
  it('never releases without a recorded grant of a person with their own green pass, a fresh normal reading and the estate rules met', () => {
    const releases = { pass: 0, cardAlone: 0 };
    fc.assert(
      fc.property(scriptArb, (script) => {
        const setup: LaneSetup = { ...LANE_SETUP, gate: 'g', lane: 'l', policyVersion: 'prop', kind: script.kind, cardAloneEntry: script.cardAloneEntry, sampleRefreshMs: script.sampleRefreshMs };
        const risk: RiskAreas = { version: 'p', stale: false, levels: new Map(script.riskListed ? [[RISK_REGION, 'high' as const]] : []) };
        const status = (subject: Subject): SubjectStatus => ({ ...NO_STATUS, quarantined: script.quarantined.includes(subject.id) });
        let state = initialLaneState();
        let now = T0;
        const scans = new Map<string, Scanned>();
        const readings: Array<{ celsius: number; at: number }> = [];
        let lastPassageId = '';
        script.steps.forEach(([input, advance], index) => {
          now += advance;
          // Each scan's code names its attempt, so the lane can read it again when it decides.
          const readCredential = (code: string) => scans.get(code)?.credential ?? ({ kind: 'unreadable', problems: ['CODE_MALFORMED'] } as Credential);
          const world: LaneWorld = { mode: script.mode, trustStale: script.trustStale, readCredential, isReplayed: () => false, status, unconfirmedFever: () => undefined, risk, rules: DEFAULT_RULES };
          let event: LaneEvent;
          if (input.type === 'scan') {
            scans.set(`a${index}`, { credential: input.credential, at: now, direction: input.direction });
            event = { type: 'scan', at: now, attemptId: `a${index}`, code: `a${index}`, direction: input.direction };
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
          for (const passage of releasedPassages(step.effects)) {
            lastPassageId = passage.id;
            const kind = checkPersonCleared(passage, { ...script, riskRegion: script.riskListed ? RISK_REGION : undefined }, setup, scans, readings);
            releases[kind] += 1;
          }
        });
      }),
      propertyParameters,
    );
    // The generators must reach the interesting cases, or the property proves nothing.
    expect(releases.pass).toBeGreaterThan(propertyParameters.numRuns / 50);
    expect(releases.cardAlone).toBeGreaterThan(0);
  });
});
