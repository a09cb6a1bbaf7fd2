import { hold } from './lane-step.js';
import type { LaneEffect, LaneEvent, LaneSetup, LaneState, LaneStep, LaneWorld, PassageRecord } from './lane-types.js';

/**
 * Remote release by a guard or manager (`…/cmd/open`): a grant no policy decides. Recorded before the barrier
 * moves, like every grant; the lane then waits for the passage as after a grant, so the person walking through
 * is not a forced passage. Refused while the lane is busy with someone else (any phase but idle).
 */
export function manualRelease(state: LaneState, event: Extract<LaneEvent, { type: 'manual-release' }>, setup: LaneSetup, world: LaneWorld): LaneStep {
  const { passageId, at } = event;
  if (state.phase.name !== 'idle') return hold(state, [{ type: 'ignored', reason: 'lane-busy', at }]);
  const passage: PassageRecord = {
    id: passageId,
    at,
    gate: setup.gate,
    lane: setup.lane,
    direction: event.direction,
    kind: setup.kind,
    credential: 'unreadable',
    decision: { verdict: 'grant', reasons: ['MANUAL_RELEASE'], rule: 'manual-release', policyVersion: setup.policyVersion },
    temperatureC: null,
    readings: [],
    mode: world.mode,
  };
  const effects: LaneEffect[] = [
    { type: 'record', passage, alerts: [], manual: { reason: event.reason, actor: event.actor } },
    { type: 'release', passageId },
    { type: 'indicate', signal: 'grant' },
  ];
  if (!setup.hasPassageSensor) return hold(state, [...effects, { type: 'settle', passageId, outcome: 'unconfirmed', at }]);
  return hold({ ...state, phase: { name: 'passing', passageId, deadline: at + setup.passageTimeoutMs } }, effects);
}
