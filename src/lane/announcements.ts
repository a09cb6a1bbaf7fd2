import type { Verdict } from '../core/decision.js';
import type { LaneEffect, LanePhase } from '../core/lane-types.js';
import type { ReasonCode } from '../core/reasons.js';
import { clipOf, type Clip, type ClipCatalogue, type ClipRule } from '../drivers/announcer/announcer-clips.js';

/** A moment the lane speaks at; the clip catalogue (`devices/clips/*.yaml`) says what is said. */
export type Cue =
  | { on: 'awaiting-code' }
  | { on: 'fever-remeasure' }
  | { on: 'decision'; verdict: Verdict; reasons: readonly ReasonCode[] }
  | { on: 'signal'; signal: 'grant' | 'deny' | 'refer' | 'busy' };

/**
 * The cues of one lane step, in order: each recorded decision; the lights
 * changing with no decision in the step (a busy lane, a barrier that failed
 * after a grant, a record that could not be written); entering `awaiting-code`
 * for a new attempt; a first fever reading sent back for a new sample.
 */
export function cuesOf(before: LanePhase, after: LanePhase, effects: readonly LaneEffect[]): Cue[] {
  const cues: Cue[] = [];
  const decided = effects.some((effect) => effect.type === 'record');
  for (const effect of effects) {
    if (effect.type === 'record') cues.push({ on: 'decision', verdict: effect.passage.decision.verdict, reasons: effect.passage.decision.reasons });
    else if (effect.type === 'indicate' && !decided && effect.signal !== 'idle') cues.push({ on: 'signal', signal: effect.signal });
  }
  if (after.name === 'awaiting-code' && !(before.name === 'awaiting-code' && before.attempt.id === after.attempt.id)) cues.push({ on: 'awaiting-code' });
  const remeasuring = after.name === 'measuring' && after.attempt.firstFever !== undefined;
  const alreadyRemeasuring = before.name === 'measuring' && before.attempt.firstFever !== undefined && after.name === 'measuring' && before.attempt.id === after.attempt.id;
  if (remeasuring && !alreadyRemeasuring && effects.some((effect) => effect.type === 'measure')) cues.push({ on: 'fever-remeasure' });
  return cues;
}

/** The clip of the first catalogue rule that matches the cue. */
export function chooseClip(catalogue: ClipCatalogue, cue: Cue): Clip | undefined {
  const rule = catalogue.rules.find((candidate) => matches(candidate, cue));
  return rule === undefined ? undefined : clipOf(catalogue, rule.clip);
}

/** What the lane says after a step: the last cue that has a clip (one utterance per step; the latest is current). */
export function announcementFor(catalogue: ClipCatalogue, before: LanePhase, after: LanePhase, effects: readonly LaneEffect[]): Clip | undefined {
  return cuesOf(before, after, effects)
    .map((cue) => chooseClip(catalogue, cue))
    .filter((clip): clip is Clip => clip !== undefined)
    .at(-1);
}

function matches(rule: ClipRule, cue: Cue): boolean {
  if (rule.on !== cue.on) return false;
  if (cue.on === 'signal') return rule.signal === undefined || rule.signal === cue.signal;
  if (cue.on !== 'decision') return true;
  if (rule.verdict !== undefined && rule.verdict !== cue.verdict) return false;
  return rule.reasons === undefined || rule.reasons.some((reason) => cue.reasons.includes(reason));
}
