import type { HealthPass } from './credential.js';
import { personOf, type Direction, type TemperatureFact } from './passage-facts.js';
import type { Attempt, LaneEffect, LaneEvent, LaneSetup, LaneState, LaneWorld } from './lane-types.js';
import { classifyReading } from './temperature.js';

/** What the lane makes of thermometer readings and of passes already granted: pure helpers of lane-machine.ts. */

/** Whether the attempt is screened for fever. Estate plan, rule 4: in lockdown temperature is checked going out as well as in. */
export function temperatureRequired(direction: Direction, { mode }: Pick<LaneWorld, 'mode'>): boolean {
  return direction === 'in' || mode === 'lockdown';
}

/** The readings taken with nobody scanned that are fresh enough to be the person scanning at `at`. */
export function freshReadings(state: LaneState, at: number, setup: LaneSetup): ReadonlyArray<{ celsius: number; at: number }> {
  return (state.pendingReadings ?? []).filter((r) => at - r.at <= setup.freshnessMs);
}

/** Readings a waiting person gave, at most this many (a polled thermometer over a long pairing window): the first fever and the latest are kept. */
export const MAX_HELD_READINGS = 32;

/**
 * Every fever reading is reported, even one taken before anyone scanned (a person may measure, see the result and
 * walk off, or be followed by someone whose reading replaces it): a warning naming no one, with the lane and time.
 */
export function unattributedFever(previous: { celsius: number } | undefined, event: Extract<LaneEvent, { type: 'reading' }>, setup: LaneSetup): LaneEffect[] {
  // A polled register read again (the same value) is the same sample: one alert, not one per poll.
  if (classifyReading(event.celsius, setup.screening) !== 'fever' || previous?.celsius === event.celsius) return [];
  const details = { celsius: event.celsius, attributed: false, confirmed: false };
  return [{ type: 'alert', alert: { type: 'fever', severity: 'warning', at: event.at, gate: setup.gate, lane: setup.lane, reasons: [], details } }];
}

/**
 * A fever is confirmed by a second measurement, not by reading the same one again: a changed value, or a
 * reading taken once the thermometer has refreshed its sample (a polled register), or any reading of a device
 * that measures on each reading (sampleRefreshMs 0: pushed or triggered).
 */
export function isNewSample(attempt: Attempt, celsius: number, at: number, setup: LaneSetup): boolean {
  const last = attempt.lastReading;
  return last === undefined || celsius !== last.celsius || at - last.at >= setup.sampleRefreshMs;
}

/**
 * No (further) reading came. A first fever reading that was never re-measured is not forgotten: the guard
 * decides with FEVER_UNCONFIRMED and a fever alert is raised, since a person may walk off rather than wait.
 */
export function unmeasured(attempt: Attempt, why: 'missing' | 'interrupted' = 'missing'): TemperatureFact {
  return attempt.firstFever !== undefined ? { kind: 'unconfirmed-fever', celsius: attempt.firstFever.celsius } : { kind: why };
}

/**
 * A first fever that no new sample confirmed or cleared (a rescan, a timeout, the next person's scan) goes back to
 * the lane's pending readings: the next scan while it is fresh takes it as its first sample, so a rescan never
 * restarts the measurement (found from outside: fever, scan, rescan, fever, normal was granted as re-measured normal).
 * The lane has no pending readings while an attempt is in progress, so there is nothing to merge with.
 */
export function carriedFever(state: LaneState, attempt: Attempt, temperature: TemperatureFact): Pick<LaneState, 'pendingReadings' | 'unconfirmedFever'> {
  const person = personOf(attempt);
  if (temperature.kind === 'unconfirmed-fever' && attempt.firstFever !== undefined) {
    return { pendingReadings: [attempt.firstFever], ...(person ? { unconfirmedFever: { subjectId: person.id, ...attempt.firstFever } } : {}) };
  }
  // The same person measured again: their fever is settled here.
  return person && state.unconfirmedFever?.subjectId === person.id && temperature.kind !== 'not-required' ? { unconfirmedFever: undefined } : {};
}

/**
 * A shared screenshot is the same pass twice the same way: two people going in on one pass. The holder going
 * out and straight back in shows it once each way, and is no replay.
 */
export function replayKey(fingerprint: string, direction: Direction): string {
  return `${fingerprint}:${direction}`;
}

/**
 * One person the same way twice within the window is two people too (found from outside: a health-code app shows a
 * new QR every refresh, so two screenshots of one person's code went in at two lanes at once). Going the other way
 * in between clears it: the resident who steps out and back in is no replay.
 */
export function personKey(pass: HealthPass, direction: Direction): string {
  return `person:${pass.subject.id}:${direction}`;
}

/**
 * The person's first fever from an earlier attempt that no second sample settled is this attempt's first sample:
 * waiting past the freshness window before the rescan must not restart the measurement (found from outside:
 * fever, scan, 3.6 s, rescan, fever, normal was granted as re-measured normal).
 */
export function withUnconfirmedFever(attempt: Attempt, state: LaneState, world: LaneWorld, held: ReadonlyArray<{ celsius: number; at: number }>): Attempt {
  if (attempt.firstFever !== undefined) return attempt;
  const person = personOf(attempt);
  if (!person || person.kind === 'plate') return attempt;
  const here = state.unconfirmedFever?.subjectId === person.id && attempt.at - state.unconfirmedFever.at < world.rules.feverHoldMs ? state.unconfirmedFever : undefined;
  const found = world.unconfirmedFever(person) ?? here;
  const fever = found && { celsius: found.celsius, at: found.at };
  // Still among the lane's fresh readings (carriedFever): that reading is judged from there, and only once.
  if (!fever || held.some((r) => r.celsius === fever.celsius && r.at <= fever.at)) return attempt;
  return { ...attempt, firstFever: fever };
}
