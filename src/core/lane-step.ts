import type { LaneEffect, LaneState, LaneStep } from './lane-types.js';

/** Builders of lane steps, shared by the machine's transitions. */

/** The next step keeps whatever deadline its phase carries, so the shell's timer always matches the state. */
export function hold(state: LaneState, effects: LaneEffect[]): LaneStep {
  return state.phase.name === 'idle' ? { state, effects } : { state, effects, deadline: state.phase.deadline };
}

export function prepend(effects: LaneEffect[], step: LaneStep): LaneStep {
  return effects.length === 0 ? step : { ...step, effects: [...effects, ...step.effects] };
}

export function settle(state: LaneState, passageId: string, outcome: 'passed' | 'not-passed' | 'barrier-fault', at: number): LaneStep {
  return hold({ ...state, phase: { name: 'idle' } }, [{ type: 'settle', passageId, outcome, at }, { type: 'indicate', signal: 'idle' }]);
}
