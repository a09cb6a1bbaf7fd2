import { isIdentityOnly, type Credential } from './credential.js';
import { NO_STATUS } from './estate-facts.js';
import { otherSubjects, personOf, type TemperatureFact } from './passage-facts.js';
import { decide } from './policy.js';
import { carriedFever, withUnconfirmedFever, freshReadings, isNewSample, MAX_HELD_READINGS, personKey, replayKey, temperatureRequired, unattributedFever, unmeasured } from './lane-readings.js';
import { passageAlerts, THERMOMETER_FAULT } from './passage-alerts.js';
import { hold, prepend, settle } from './lane-step.js';
import { manualRelease } from './manual-release.js';
import { classifyReading } from './temperature.js';
import type { Attempt, LaneEffect, LaneEvent, LaneSetup, LaneState, LaneStep, LaneWorld, PassageRecord } from './lane-types.js';

/**
 * The lane state machine: scan (a card, visitor pass or plate waits for the
 * health pass) → fresh temperature (re-measuring implausible readings and a
 * first fever reading) → decision → release → passage confirmed or timed out.
 * Events in, new state and effects out; the shell performs the effects in
 * order and sends `tick` at the returned deadline. A guard's remote release is
 * an event too (manual-release.ts), so every grant goes through this table.
 */

export function initialLaneState(): LaneState {
  return { phase: { name: 'idle' }, devices: { scanner: true, thermometer: true, barrier: true }, thermometerFaultAlerted: false };
}

export function stepLane(state: LaneState, event: LaneEvent, setup: LaneSetup, world: LaneWorld): LaneStep {
  switch (event.type) {
    case 'scan':
      return onScan(state, event, setup, world);
    case 'reading':
      return onReading(state, event, setup, world);
    case 'tick':
      return onTick(state, event.at, setup, world);
    case 'passage':
      return onPassage(state, event.at, setup, world);
    case 'device':
      return onDevice({ ...state, devices: { ...state.devices, [event.role]: event.online } }, event, setup, world);
    case 'release-failed':
      return onReleaseFailed(state, event.passageId, event.at, setup);
    case 'record-failed':
      return onRecordFailed(state, event.passageId, event.at);
    case 'manual-release':
      return manualRelease(state, event, setup, world);
  }
}

function onScan(state: LaneState, event: Extract<LaneEvent, { type: 'scan' }>, setup: LaneSetup, world: LaneWorld): LaneStep {
  // A late timer must not let a pass pair with a card whose window has closed: close it first, as the tick would have.
  if (state.phase.name === 'awaiting-code' && event.at >= state.phase.deadline) {
    const closed = onTick(state, event.at, setup, world);
    return prepend(closed.effects, onScan(closed.state, event, setup, world));
  }
  const { phase } = state;
  if (phase.name === 'passing') {
    return hold(state, [{ type: 'ignored', reason: 'lane-busy', at: event.at }, { type: 'indicate', signal: 'busy' }]);
  }
  const credential = world.readCredential(event.code, setup.kind);
  const attempt: Attempt = { id: event.attemptId, at: event.at, direction: event.direction, credential, scanned: { credential: event.code }, readings: [], implausibleReadings: 0 };
  // Card, visitor pass or plate, then the health pass: one person, screened on the pass (docs/design.md, credentials).
  // A pass naming somebody else than the card's holder is refused by the policy (CODE_MISMATCH), not taken for
  // a new person: the card says who stands at the gate, and a borrowed phone must not vouch for them.
  if (phase.name === 'awaiting-code' && credential.kind === 'health-pass' && event.direction === phase.attempt.direction) {
    const identity = phase.attempt;
    const paired: Attempt = { ...attempt, credential: identity.credential, code: credential, scanned: { credential: identity.scanned.credential, code: event.code } };
    return screen({ ...state, pendingReadings: undefined }, { ...state, phase: { name: 'idle' }, pendingReadings: undefined }, paired, setup, world, phase.readings);
  }
  // Nobody's attempt vanishes when the next scan comes: it is decided on what the lane has (a red code, a first
  // fever reading, a card with no code), recorded and alerted, and then the new scan starts.
  const interrupted = phase.name === 'idle' ? hold(state, []) : interrupt(state, event.at, setup, world);
  const current = interrupted.state;
  if (awaitsCode(credential, setup, world)) {
    // A fresh reading taken just before the card is this person's too.
    const readings = freshReadings(current, event.at, setup);
    return prepend(interrupted.effects, hold({ ...current, pendingReadings: undefined, phase: { name: 'awaiting-code', attempt, deadline: event.at + setup.pairingWindowMs, readings } }, []));
  }
  return prepend(interrupted.effects, screen(current, { ...current, phase: { name: 'idle' }, pendingReadings: undefined }, attempt, setup, world, freshReadings(current, event.at, setup)));
}

/** Decides the attempt in progress now, as its deadline would have: no code (HEALTH_CODE_REQUIRED), or no (further) reading. */
function interrupt(state: LaneState, at: number, setup: LaneSetup, world: LaneWorld): LaneStep {
  const { phase } = state;
  const idle: LaneState = { ...state, phase: { name: 'idle' } };
  /* c8 ignore next -- called only with an attempt in progress */
  if (phase.name !== 'awaiting-code' && phase.name !== 'measuring') return hold(state, []);
  if (phase.name === 'measuring') return conclude(idle, phase.attempt, unmeasured(phase.attempt, 'interrupted'), at, setup, world);
  // No pass came: the readings taken while waiting still go on the record (a fever is reported with the card).
  const folded = phase.readings.length > 0 ? judgeHeld(idle, { ...phase.attempt, at }, phase.readings, setup, world) : undefined;
  if (folded && folded.state.phase.name !== 'measuring') return folded;
  const attempt = folded?.state.phase.name === 'measuring' ? folded.state.phase.attempt : phase.attempt;
  const temperature: TemperatureFact = attempt.firstFever !== undefined ? { kind: 'unconfirmed-fever', celsius: attempt.firstFever.celsius } : { kind: 'not-required' };
  return prepend(folded?.effects ?? [], conclude(idle, attempt, temperature, at, setup, world));
}

/** A valid card, visitor pass or plate says who; the health pass must follow, unless the estate lets a card in alone. */
function awaitsCode(credential: Credential, setup: LaneSetup, world: LaneWorld): boolean {
  if (!isIdentityOnly(credential) || credential.problems.length > 0 || world.mode === 'emergency-open') return false;
  return !(credential.kind === 'card' && setup.cardAloneEntry && world.mode === 'normal');
}

/** The person is known: take a fresh temperature where one is needed (or judge the readings taken while they waited), then decide. */
function screen(state: LaneState, idle: LaneState, attempt: Attempt, setup: LaneSetup, world: LaneWorld, held: ReadonlyArray<{ celsius: number; at: number }> = []): LaneStep {
  const { at } = attempt;
  // An unreadable code, or a card, visitor pass or plate that is refused as such, screens no one: refuse and record
  // it at once rather than make them wait for a reading (the next scan, say their health pass, would drop it unrecorded).
  const refusedAsShown = attempt.credential.kind === 'unreadable' || (isIdentityOnly(attempt.credential) && attempt.credential.problems.length > 0);
  const needsTemperature = temperatureRequired(attempt.direction, world) && !refusedAsShown;
  if (!needsTemperature || world.mode === 'emergency-open') return conclude(idle, attempt, { kind: 'not-required' }, at, setup, world);
  if (!setup.hasThermometer || !state.devices.thermometer) return conclude(idle, attempt, { kind: 'missing' }, at, setup, world);
  const screened = withUnconfirmedFever(attempt, state, world, held);
  if (held.length > 0) {
    const judged = judgeHeld(idle, screened, held, setup, world);
    return judged.state.phase.name === 'measuring' ? { ...judged, effects: [...judged.effects, { type: 'measure' }] } : judged;
  }
  return measure(idle, screened, at, setup);
}

/**
 * The readings taken while the person waited for their pass, judged as if measured now: from the first fever
 * reading on (a fever is never outweighed by an earlier normal reading), else the latest one. A fever still
 * waiting for its confirming sample leaves the lane measuring.
 */
function judgeHeld(idle: LaneState, attempt: Attempt, held: ReadonlyArray<{ celsius: number; at: number }>, setup: LaneSetup, world: LaneWorld): LaneStep {
  const firstFever = held.findIndex((r) => classifyReading(r.celsius, setup.screening) === 'fever');
  const used = firstFever >= 0 ? held.slice(firstFever) : held.slice(-1);
  let step: LaneStep = hold({ ...idle, phase: { name: 'measuring', attempt, deadline: attempt.at + setup.measureTimeoutMs } }, []);
  const effects: LaneEffect[] = [];
  for (const reading of used) {
    const { phase } = step.state;
    if (phase.name !== 'measuring') break;
    if (phase.attempt.firstFever !== undefined && !isNewSample(phase.attempt, reading.celsius, reading.at, setup)) continue;
    step = judgeReading(step.state, phase.attempt, reading.celsius, reading.at, setup, world);
    effects.push(...step.effects.filter((effect) => effect.type !== 'measure'));
  }
  return { ...step, effects };
}

function onReading(state: LaneState, event: Extract<LaneEvent, { type: 'reading' }>, setup: LaneSetup, world: LaneWorld): LaneStep {
  const { phase } = state;
  if (phase.name === 'awaiting-code') {
    const kept = phase.readings.length < MAX_HELD_READINGS ? phase.readings : [...phase.readings.slice(0, MAX_HELD_READINGS / 2), ...phase.readings.slice(-MAX_HELD_READINGS / 2 + 1)];
    const readings = [...kept, { celsius: event.celsius, at: event.at }];
    return hold({ ...state, phase: { ...phase, readings } }, unattributedFever(phase.readings.at(-1), event, setup));
  }
  if (phase.name !== 'measuring') {
    // Readings with nobody scanned yet are kept for the freshness window, all of them: a fever followed by a normal
    // reading before the scan is still that person's fever (found from outside: only the last reading was kept).
    const kept = (state.pendingReadings ?? []).filter((r) => event.at - r.at <= setup.freshnessMs).slice(-(MAX_HELD_READINGS - 1));
    // Only a fresh previous reading can be this same sample; a stale one (a fever carried from an ended attempt) is not.
    const fever = unattributedFever(kept.at(-1), event, setup);
    return hold({ ...state, pendingReadings: [...kept, { celsius: event.celsius, at: event.at }] }, fever);
  }
  // A reading older than the scan's freshness window belongs to someone else: never reuse it.
  if (event.at < phase.attempt.at - setup.freshnessMs) return hold(state, [{ type: 'ignored', reason: 'stale-reading', at: event.at }]);
  if (phase.attempt.firstFever !== undefined && !isNewSample(phase.attempt, event.celsius, event.at, setup)) {
    return hold(state, [{ type: 'ignored', reason: 'same-sample', at: event.at }]);
  }
  return judgeReading(state, phase.attempt, event.celsius, event.at, setup, world);
}

function judgeReading(state: LaneState, attempt: Attempt, celsius: number, at: number, setup: LaneSetup, world: LaneWorld): LaneStep {
  const reading = classifyReading(celsius, setup.screening);
  const next: Attempt = { ...attempt, readings: [...attempt.readings, celsius], lastReading: { celsius, at } };
  const decideAt = Math.max(at, attempt.at);
  if (reading === 'implausible' && attempt.implausibleReadings < setup.maxRemeasures) {
    return measure(state, { ...next, implausibleReadings: attempt.implausibleReadings + 1 }, decideAt, setup);
  }
  // A first reading at or above the threshold is re-measured once; the second sample decides.
  if (reading === 'fever' && attempt.firstFever === undefined) {
    return measure(state, { ...next, firstFever: { celsius, at } }, decideAt, setup);
  }
  const goodReading = reading !== 'implausible';
  const settled: LaneState = goodReading ? { ...state, thermometerFaultAlerted: false } : state;
  const fact: TemperatureFact =
    reading === 'normal' && attempt.firstFever !== undefined ? { kind: 'normal', celsius, remeasuredFrom: attempt.firstFever.celsius } : { kind: reading, celsius };
  return conclude(settled, next, fact, decideAt, setup, world);
}

function measure(state: LaneState, attempt: Attempt, at: number, setup: LaneSetup): LaneStep {
  return hold({ ...state, phase: { name: 'measuring', attempt, deadline: at + setup.measureTimeoutMs } }, [{ type: 'measure' }]);
}

function onTick(state: LaneState, at: number, setup: LaneSetup, world: LaneWorld): LaneStep {
  const { phase } = state;
  if (phase.name === 'idle' || at < phase.deadline) return hold(state, []);
  if (phase.name === 'measuring') {
    return conclude({ ...state, phase: { name: 'idle' } }, phase.attempt, unmeasured(phase.attempt), at, setup, world);
  }
  // No health pass followed the card, visitor pass or plate: recorded, and the guard decides.
  if (phase.name === 'awaiting-code') return interrupt(state, at, setup, world);
  return settle(state, phase.passageId, 'not-passed', at);
}

function onPassage(state: LaneState, at: number, setup: LaneSetup, world: LaneWorld): LaneStep {
  if (state.phase.name === 'passing') return settle(state, state.phase.passageId, 'passed', at);
  // In emergency-open the shell holds the barriers open: people walking through are not forcing them.
  if (world.mode === 'emergency-open') return hold(state, []);
  const alert: LaneEffect = {
    type: 'alert',
    alert: { type: 'barrier-forced', severity: 'critical', at, gate: setup.gate, lane: setup.lane, reasons: [], details: { phase: state.phase.name } },
  };
  return hold(state, [alert]);
}

function onDevice(state: LaneState, event: Extract<LaneEvent, { type: 'device' }>, setup: LaneSetup, world: LaneWorld): LaneStep {
  const { phase } = state;
  // Losing the thermometer mid-measurement refers now instead of making the person wait for the timeout.
  if (phase.name === 'measuring' && event.role === 'thermometer' && !event.online) {
    return conclude({ ...state, phase: { name: 'idle' } }, phase.attempt, unmeasured(phase.attempt), event.at, setup, world);
  }
  return hold(state, []);
}

function onReleaseFailed(state: LaneState, passageId: string, at: number, setup: LaneSetup): LaneStep {
  if (state.phase.name !== 'passing' || state.phase.passageId !== passageId) {
    return hold(state, [{ type: 'ignored', reason: 'late-event', at }]);
  }
  const alert: LaneEffect = {
    type: 'alert',
    alert: { type: 'device-fault', severity: 'critical', at, gate: setup.gate, lane: setup.lane, passageId, reasons: ['DEVICE_FAULT'], details: { device: 'barrier' } },
  };
  const settled = settle(state, passageId, 'barrier-fault', at);
  return { ...settled, effects: [...settled.effects, alert, { type: 'indicate', signal: 'refer' }] };
}

function onRecordFailed(state: LaneState, passageId: string, at: number): LaneStep {
  // Nothing is released unrecorded: a failed write leaves the barrier closed and the guard in charge.
  // The shell reports the failure in the same turn as the step that concluded the attempt, so an idle lane has
  // just decided it (a refusal, or a grant with nothing to confirm) and the shell dropped its indication.
  if (state.phase.name === 'idle' || (state.phase.name === 'passing' && state.phase.passageId === passageId)) {
    return hold({ ...state, phase: { name: 'idle' } }, [{ type: 'indicate', signal: 'refer' }]);
  }
  return hold(state, [{ type: 'ignored', reason: 'late-event', at }]);
}

function conclude(state: LaneState, shown: Attempt, temperature: TemperatureFact, at: number, setup: LaneSetup, world: LaneWorld): LaneStep {
  const attempt = readAgain(shown, setup, world);
  const { credential, code } = attempt;
  const pass = code ?? (credential.kind === 'health-pass' ? credential : undefined);
  const person = personOf(attempt);
  const decision = decide(
    {
      at,
      direction: attempt.direction,
      mode: world.mode,
      laneKind: setup.kind,
      credential,
      ...(code ? { code } : {}),
      cardAloneEntry: setup.cardAloneEntry,
      temperature,
      enforcement: setup.enforcement,
      trustStale: world.trustStale,
      replayed: pass !== undefined && (world.isReplayed(replayKey(pass.fingerprint, attempt.direction)) || world.isReplayed(personKey(pass, attempt.direction))),
      // A lane built without a thermometer is not faulty: it refers for want of a reading (NO_TEMPERATURE).
      deviceFault: !state.devices.barrier || ((temperature.kind === 'missing' || temperature.kind === 'unconfirmed-fever') && setup.hasThermometer && !state.devices.thermometer),
      status: person ? world.status(person) : NO_STATUS,
      risk: world.risk,
      rules: world.rules,
    },
    setup.policyVersion,
  );
  const passage: PassageRecord = {
    id: attempt.id,
    at,
    gate: setup.gate,
    lane: setup.lane,
    direction: attempt.direction,
    kind: setup.kind,
    credential: credential.kind,
    ...(person ? { subject: person } : {}),
    ...otherSubjects(credential, pass, person),
    decision,
    temperatureC: 'celsius' in temperature ? temperature.celsius : null,
    readings: attempt.readings,
    mode: world.mode,
    ...(world.rules.drill.active ? { drill: true as const } : {}),
  };
  const alerts = passageAlerts(passage, setup, world.rules, state.thermometerFaultAlerted);
  const thermometerFaultAlerted = state.thermometerFaultAlerted || decision.reasons.some((r) => THERMOMETER_FAULT.includes(r));
  const recorded: LaneState = { ...state, phase: { name: 'idle' }, thermometerFaultAlerted, ...carriedFever(state, attempt, temperature) };
  const effects: LaneEffect[] = [{ type: 'record', passage, alerts }];

  if (decision.verdict !== 'grant') {
    return hold(recorded, [...effects, { type: 'indicate', signal: decision.verdict }]);
  }
  if (pass) {
    const forget = personKey(pass, attempt.direction === 'in' ? 'out' : 'in');
    effects.push({ type: 'remember-pass', fingerprint: replayKey(pass.fingerprint, attempt.direction), person: personKey(pass, attempt.direction), forget, at });
  }
  // In emergency-open the barriers are already held open by the shell: nothing to release or confirm.
  if (world.mode === 'emergency-open') return hold(recorded, [...effects, { type: 'settle', passageId: passage.id, outcome: 'unconfirmed', at }]);
  effects.push({ type: 'release', passageId: passage.id }, { type: 'indicate', signal: 'grant' });
  if (!setup.hasPassageSensor) return hold(recorded, [...effects, { type: 'settle', passageId: passage.id, outcome: 'unconfirmed', at }]);
  return hold({ ...recorded, phase: { name: 'passing', passageId: passage.id, deadline: at + setup.passageTimeoutMs } }, effects);
}

/** The credentials as they stand at the decision (a revocation or a list change while the person waited counts). */
function readAgain(attempt: Attempt, setup: LaneSetup, world: LaneWorld): Attempt {
  const credential = world.readCredential(attempt.scanned.credential, setup.kind);
  const code = attempt.scanned.code === undefined ? undefined : world.readCredential(attempt.scanned.code, setup.kind);
  return { ...attempt, credential, ...(code?.kind === 'health-pass' ? { code } : {}) };
}
