import fc from 'fast-check';
import type { Credential, Subject } from '../../src/core/credential.js';
import { DEFAULT_RULES, NO_STATUS, type RiskAreas, type SubjectStatus } from '../../src/core/estate-facts.js';
import { initialLaneState, stepLane } from '../../src/core/lane-machine.js';
import type { LaneEvent, LaneSetup, LaneWorld } from '../../src/core/lane-types.js';
import { readCredential } from '../../src/core/read-credential.js';
import { LANE_SETUP } from '../lane/lane-setup.js';
import { estateArbs, laneInputArb, type NonScanInput } from '../lane/lane-script.js';
import { checkPersonCleared, releasedPassages, type EstateFacts, type Reading, type Scanned } from '../lane/person-invariant.js';
import { CONTEXT, NOW, scannedCode, validHealthPass } from './codes.js';
import type { FuzzTarget, Prepared } from './target.js';

const RISK_REGION = '350502';

type Input = { type: 'scan'; code: string; direction: 'in' | 'out' } | NonScanInput;

const inputArb: fc.Arbitrary<Input> = laneInputArb(
  fc.record({ type: fc.constant('scan' as const), code: fc.oneof({ arbitrary: validHealthPass, weight: 2 }, { arbitrary: scannedCode.map((c) => c.code), weight: 3 }), direction: fc.constantFrom('in' as const, 'out' as const) }),
  [Number.NaN, Infinity, -0, 37.3],
);

const scriptArb = fc.record({
  ...estateArbs(['r1', 'v1', 'x9']),
  replayed: fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 }),
  steps: fc.array(fc.tuple(inputArb, fc.integer({ min: 0, max: 6000 })), { maxLength: 40 }),
});

type Script = typeof scriptArb extends fc.Arbitrary<infer S> ? S : never;

/**
 * The lane machine fed scanned codes, not ready-made credentials: HP1 and VP1
 * passes (valid, forged, changed, look-alike), roster and unknown cards,
 * plates and garbage, read by the real readCredential against a trust list,
 * roster and visitor registry, between fuzzed readings, ticks, passages and
 * device faults, under every mode, list and policy. Every barrier release is
 * checked against the person-level invariant of support/lane/person-invariant.ts
 * (the lane-machine property test's own checker).
 */
export const laneTarget: FuzzTarget = {
  name: 'lane',
  what: 'the lane machine (src/core/lane-machine.ts) fed scanned codes through src/core/read-credential.ts; every release checked by support/lane/person-invariant.ts',
  async prepare(): Promise<Prepared<Script>> {
    const counts = { steps: 0, scans: 0, releases: 0, 'grants by pass': 0, 'grants by card alone': 0 };
    return {
      arbitrary: scriptArb,
      stats: () => ({ ...counts }),
      check(script) {
        const setup: LaneSetup = { ...LANE_SETUP, gate: 'g', lane: 'l', policyVersion: 'fuzz', kind: script.kind, cardAloneEntry: script.cardAloneEntry };
        const estate: EstateFacts = { ...script, riskRegion: script.riskListed ? RISK_REGION : undefined };
        const risk: RiskAreas = { version: 'f', stale: false, levels: new Map(script.riskListed ? [[RISK_REGION, 'high' as const]] : []) };
        const status = (subject: Subject): SubjectStatus => ({ ...NO_STATUS, quarantined: script.quarantined.includes(subject.id) });
        let state = initialLaneState();
        let now = NOW;
        let read: Credential | undefined;
        const scans = new Map<string, Scanned>();
        const readings: Reading[] = [];
        let lastPassageId = '';
        const world: LaneWorld = {
          mode: script.mode,
          trustStale: script.trustStale,
          unconfirmedFever: () => undefined,
          // The lane reads codes again when it decides (an interrupted attempt's, too): the scan's own read is the first.
          readCredential: (code, laneKind) => {
            const credential = readCredential(code, { ...CONTEXT, now }, laneKind);
            read ??= credential;
            return credential;
          },
          isReplayed: () => script.replayed,
          status,
          risk,
          rules: DEFAULT_RULES,
        };
        script.steps.forEach(([input, advance], index) => {
          now += advance;
          read = undefined;
          let event: LaneEvent;
          if (input.type === 'scan') event = { type: 'scan', at: now, attemptId: `a${index}`, code: input.code, direction: input.direction };
          else if (input.type === 'reading') event = { type: 'reading', at: now, celsius: input.celsius };
          else if (input.type === 'release-failed') event = { type: 'release-failed', at: now, passageId: lastPassageId };
          else event = { ...input, at: now } as LaneEvent;
          const step = stepLane(state, event, setup, world);
          state = step.state;
          counts.steps += 1;
          if (input.type === 'reading') readings.push({ celsius: input.celsius, at: now });
          if (input.type === 'scan' && read) {
            counts.scans += 1;
            scans.set(`a${index}`, { credential: read, at: now, direction: input.direction });
          }
          for (const passage of releasedPassages(step.effects)) {
            lastPassageId = passage.id;
            counts.releases += 1;
            const kind = checkPersonCleared(passage, estate, setup, scans, readings);
            counts[kind === 'pass' ? 'grants by pass' : 'grants by card alone'] += 1;
          }
        });
      },
    };
  },
};
