import { describe, expect, it } from 'vitest';
import { initialLaneState, stepLane } from '../../../src/core/lane-machine.js';
import type { LaneState } from '../../../src/core/lane-types.js';
import { CREDENTIAL_AND_MODE_CASES, FEVER_HOLD_CASES, LANE_CASES, MANUAL_RELEASE_CASES, PASSAGE_CASES, SCREENING_CASES, type LaneScenario } from './fixtures/lane-cases.js';
import { LANE_SETUP } from '../../../support/lane/lane-setup.js';
import { device, manualRelease, passage, reading, releaseFailed, runLane, scan, T0, tick, worldOf } from './fixtures/lane.js';

const named = (cases: LaneScenario[]) => cases.map((c): [string, LaneScenario] => [c.name, c]);

function expectScenario(scenario: LaneScenario): void {
  const run = runLane(scenario.events, scenario);
  expect(run.summaries).toEqual(scenario.steps);
  expect(run.state.phase.name).toBe(scenario.phase);
}

describe('lane machine: screening', () => {
  it.each(named(SCREENING_CASES))('%s', (_name, scenario) => expectScenario(scenario));
});

describe('lane machine: credentials and modes', () => {
  it.each(named(CREDENTIAL_AND_MODE_CASES))('%s', (_name, scenario) => expectScenario(scenario));
});

describe('lane machine: release, passage and failures', () => {
  it.each(named(PASSAGE_CASES))('%s', (_name, scenario) => expectScenario(scenario));
});

describe('lane machine: fever hold', () => {
  it.each(named(FEVER_HOLD_CASES))('%s', (_name, scenario) => expectScenario(scenario));

  it('names the hold as the rule of a held refusal and keeps what was measured; a confirmed fever names the screening', () => {
    const run = runLane([reading(38.6, -200), scan('green'), reading(38.7, 500), scan('green', 1100, { id: 'a2' }), reading(36.3, 1500)]);
    const recorded = run.steps.flatMap((step) => step.effects).filter((effect) => effect.type === 'record');
    expect(recorded.map(({ passage }) => [passage.decision.rule, passage.temperatureC, passage.readings])).toEqual([
      ['temperature-screening', 38.7, [38.6, 38.7]],
      ['fever-hold', 36.3, [36.3]],
    ]);
  });
});

describe('lane machine: manual release', () => {
  it.each(named(MANUAL_RELEASE_CASES))('%s', (_name, scenario) => expectScenario(scenario));

  it('records who released and why, the lane’s direction and the mode, with no subject, reading or alert', () => {
    const run = runLane([manualRelease(250, { direction: 'out' })], { world: { mode: 'lockdown' } });
    expect(run.steps[0]).toEqual({
      state: expect.objectContaining({ phase: { name: 'passing', passageId: 'm1', deadline: T0 + 8250 } }),
      deadline: T0 + 8250,
      effects: [
        {
          type: 'record',
          passage: {
            id: 'm1',
            at: T0 + 250,
            gate: 'north',
            lane: 'in-1',
            direction: 'out',
            kind: 'pedestrian',
            credential: 'unreadable',
            decision: { verdict: 'grant', reasons: ['MANUAL_RELEASE'], rule: 'manual-release', policyVersion: 'test-1' },
            temperatureC: null,
            readings: [],
            mode: 'lockdown',
          },
          alerts: [],
          manual: { reason: 'courier with a trolley', actor: 'guard-1' },
        },
        { type: 'release', passageId: 'm1' },
        { type: 'indicate', signal: 'grant' },
      ],
    });
  });
});

describe('lane machine: invariants over the whole table', () => {
  const effectsOf = (scenario: LaneScenario) => runLane(scenario.events, scenario).steps.map((s) => s.effects);

  it('record comes first in its step and before any release, settle or remember of the same passage', () => {
    let checked = 0;
    for (const effects of LANE_CASES.flatMap(effectsOf)) {
      const record = effects.findIndex((e) => e.type === 'record');
      if (record === -1) continue;
      checked += 1;
      expect(effects.slice(0, record)).toEqual([]);
      // A step may conclude two attempts (a card left unanswered, then the next person): each release or
      // settle follows the record of its own passage.
      effects.forEach((effect, index) => {
        if (effect.type !== 'release' && effect.type !== 'settle') return;
        const recorded = effects.slice(0, index).some((e) => e.type === 'record' && e.passage.id === effect.passageId);
        expect(recorded).toBe(true);
      });
    }
    expect(checked).toBeGreaterThan(30);
  });

  it('the step deadline is the phase deadline: present while measuring or passing, absent when idle', () => {
    for (const scenario of LANE_CASES) {
      for (const { state, deadline } of runLane(scenario.events, scenario).steps) {
        expect(deadline).toBe(state.phase.name === 'idle' ? undefined : state.phase.deadline);
      }
    }
  });
});

describe('lane machine: deadlines, records and state', () => {
  it('measuring waits measureTimeoutMs from the scan, and each re-measure from its reading', () => {
    const run = runLane([scan('green'), reading(31, 1200), reading(38, 2500)]);
    expect(run.steps.map((s) => s.deadline)).toEqual([T0 + 5000, T0 + 6200, T0 + 7500]);
  });

  it('passing waits passageTimeoutMs from the grant, and a busy scan keeps that deadline', () => {
    const run = runLane([scan('green'), reading(36.5, 800), scan('card', 1000, { id: 'a2' }), tick(1500)]);
    expect(run.steps.slice(1).map((s) => s.deadline)).toEqual([T0 + 8800, T0 + 8800, T0 + 8800]);
  });

  it('records the whole passage: ids, place, direction, credential, subject, decision, readings and mode', () => {
    const run = runLane([scan('card', 0, { id: 'attempt-0' }), scan('residentPass', 100, { id: 'attempt-7' }), reading(37.6, 400), reading(36.9, 1100)], { world: { mode: 'lockdown' } });
    expect(run.steps[3]?.effects[0]).toEqual({
      type: 'record',
      passage: {
        id: 'attempt-7',
        at: T0 + 1100,
        gate: 'north',
        lane: 'in-1',
        direction: 'in',
        kind: 'pedestrian',
        credential: 'card',
        subject: { kind: 'health-pass', id: 'resident-1' },
        decision: { verdict: 'grant', reasons: ['CARD_VALID', 'CODE_GREEN', 'TEMP_NORMAL', 'FEVER_REMEASURED_NORMAL'], rule: 'card-roster', policyVersion: 'test-1' },
        temperatureC: 36.9,
        readings: [37.6, 36.9],
        mode: 'lockdown',
      },
      alerts: [expect.objectContaining({ type: 'fever', severity: 'warning', reasons: ['FEVER_REMEASURED_NORMAL'], details: expect.objectContaining({ confirmed: false }) })],
    });
  });

  it('an unreadable code is recorded without a subject', () => {
    const [effect] = runLane([scan('garbage')]).steps[0]?.effects ?? [];
    expect(effect?.type === 'record' && effect.passage).toMatchObject({ credential: 'unreadable', decision: { verdict: 'deny' } });
    expect(effect?.type === 'record' && 'subject' in effect.passage).toBe(false);
  });

  it('settles, remembers and raises alerts with the time and place of the event', () => {
    const run = runLane([scan('green'), reading(36.5, 800), releaseFailed('a1', 950), passage(1200)]);
    expect(run.steps[1]?.effects).toContainEqual({ type: 'remember-pass', fingerprint: 'fp-green:in', person: 'person:person-green:in', forget: 'person:person-green:out', at: T0 + 800 });
    expect(run.steps[2]?.effects).toEqual([
      { type: 'settle', passageId: 'a1', outcome: 'barrier-fault', at: T0 + 950 },
      { type: 'indicate', signal: 'idle' },
      { type: 'alert', alert: { type: 'device-fault', severity: 'critical', at: T0 + 950, gate: 'north', lane: 'in-1', passageId: 'a1', reasons: ['DEVICE_FAULT'], details: { device: 'barrier' } } },
      { type: 'indicate', signal: 'refer' },
    ]);
    expect(run.steps[3]?.effects).toEqual([
      { type: 'alert', alert: { type: 'barrier-forced', severity: 'critical', at: T0 + 1200, gate: 'north', lane: 'in-1', reasons: [], details: { phase: 'idle' } } },
    ]);
  });

  it('an interrupted attempt is recorded at the time of the interrupting scan; ignoring carries the event time', () => {
    const run = runLane([scan('green'), scan('green', 700, { id: 'a2' }), reading(20, -4000)]);
    expect(run.steps[1]?.effects[0]).toMatchObject({ type: 'record', passage: { id: 'a1', at: T0 + 700, decision: { reasons: ['SCREENING_INTERRUPTED'] } } });
    expect(run.steps[2]?.effects).toEqual([{ type: 'ignored', reason: 'stale-reading', at: T0 - 4000 }]);
  });

  it('starts idle with every device online and no fault alerted', () => {
    expect(initialLaneState()).toEqual({ phase: { name: 'idle' }, devices: { scanner: true, thermometer: true, barrier: true }, thermometerFaultAlerted: false });
  });

  it('tracks device availability, and a scan consumes the pending reading', () => {
    const run = runLane([device('barrier', false), reading(36.6, 100), device('barrier', true, 200)]);
    expect(run.state.devices).toEqual({ scanner: true, thermometer: true, barrier: true });
    expect(run.steps[1]?.state.devices.barrier).toBe(false);
    expect(run.state.pendingReadings).toEqual([{ celsius: 36.6, at: T0 + 100 }]);
    expect(runLane([reading(36.6, 100), scan('green', 200)]).state.pendingReadings).toBeUndefined();
  });

  it('never changes the state it is given', () => {
    const frozen = (state: LaneState): LaneState => Object.freeze({ ...state, phase: Object.freeze({ ...state.phase }), devices: Object.freeze({ ...state.devices }) });
    let state = frozen(initialLaneState());
    const world = worldOf();
    for (const event of [reading(36.6, -100), scan('green'), passage(500), scan('card', 600), reading(38, 700), reading(38.1, 800), device('thermometer', false, 900)]) {
      const before = structuredClone(state);
      const step = stepLane(state, event, LANE_SETUP, world);
      expect(state).toEqual(before);
      state = frozen(step.state);
    }
  });
});
