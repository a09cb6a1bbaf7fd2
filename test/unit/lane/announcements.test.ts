import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../../src/core/decision.js';
import type { Attempt, LaneEffect, LanePhase, PassageRecord } from '../../../src/core/lane-types.js';
import type { ReasonCode } from '../../../src/core/reasons.js';
import { loadClipCatalogue } from '../../../src/drivers/announcer/announcer-clips.js';
import { announcementFor, cuesOf } from '../../../src/lane/announcements.js';

const catalogue = loadClipCatalogue(fileURLToPath(new URL('../../../devices', import.meta.url)), 'announcer-clips');

const attempt = (id: string, firstFever?: number): Attempt =>
  ({ id, at: 0, direction: 'in', credential: { kind: 'card' }, readings: [], implausibleReadings: 0, ...(firstFever === undefined ? {} : { firstFever: { celsius: firstFever, at: 0 } }) }) as unknown as Attempt;
const idle: LanePhase = { name: 'idle' };
const awaiting = (id: string): LanePhase => ({ name: 'awaiting-code', attempt: attempt(id), deadline: 1, readings: [] });
const measuring = (id: string, firstFever?: number): LanePhase => ({ name: 'measuring', attempt: attempt(id, firstFever), deadline: 1 });
const passing: LanePhase = { name: 'passing', passageId: 'a', deadline: 1 };
const record = (verdict: Verdict, ...reasons: ReasonCode[]): LaneEffect => ({
  type: 'record',
  passage: { decision: { verdict, reasons, rule: 'r', policyVersion: 'v' } } as unknown as PassageRecord,
  alerts: [],
});
const indicate = (signal: 'idle' | 'grant' | 'deny' | 'refer' | 'busy'): LaneEffect => ({ type: 'indicate', signal });
const measure: LaneEffect = { type: 'measure' };

describe('what the lane says after a step', () => {
  it.each<[string, LanePhase, LanePhase, LaneEffect[], number | undefined, string | undefined]>([
    ['a card waits for the health pass', idle, awaiting('a'), [], 1, '请出示健康码'],
    ['a second card: the first is recorded unanswered, the second asked again', awaiting('a'), awaiting('b'), [record('refer', 'HEALTH_CODE_REQUIRED'), indicate('refer')], 1, '请出示健康码'],
    ['the same card still waiting (a tick before the deadline): silent', awaiting('a'), awaiting('a'), [], undefined, undefined],
    ['no pass followed the card', awaiting('a'), idle, [record('refer', 'HEALTH_CODE_REQUIRED'), indicate('refer')], 1, '请出示健康码'],
    ['grant on a normal temperature', measuring('a'), passing, [record('grant', 'CODE_GREEN', 'TEMP_NORMAL'), { type: 'release', passageId: 'a' }, indicate('grant')], 2, '体温正常请通行'],
    ['grant after a fever re-measured normal', measuring('a', 38), passing, [record('grant', 'CODE_GREEN', 'TEMP_NORMAL', 'FEVER_REMEASURED_NORMAL'), indicate('grant')], 2, '体温正常请通行'],
    ['grant going out, no temperature needed', idle, passing, [record('grant', 'CODE_GREEN'), indicate('grant')], 3, '请通行'],
    ['manual release', idle, idle, [record('grant', 'MANUAL_RELEASE')], 3, '请通行'],
    ['a first fever reading is re-measured', measuring('a'), measuring('a', 38.1), [measure], 4, '体温异常请稍候复测'],
    ['a fever read from a fresh pending reading is re-measured', idle, measuring('a', 38.1), [measure], 4, '体温异常请稍候复测'],
    ['an implausible reading after the fever: not said twice', measuring('a', 38.1), measuring('a', 38.1), [measure], undefined, undefined],
    ['an implausible first reading is re-measured silently', measuring('a'), measuring('a'), [measure], undefined, undefined],
    ['confirmed fever', measuring('a', 38), idle, [record('deny', 'CODE_GREEN', 'FEVER'), indicate('deny')], 5, '体温异常禁止通行'],
    ['lockdown, an outsider', idle, idle, [record('deny', 'CODE_GREEN', 'LOCKDOWN_NO_ENTRY'), indicate('deny')], 6, '封控期间外来人员禁止进入'],
    ['lockdown, leaving without an exit pass', idle, idle, [record('deny', 'CODE_GREEN', 'EXIT_PASS_REQUIRED'), indicate('deny')], 11, '封控期间外出须持出门证'],
    ['red code', idle, idle, [record('deny', 'CODE_RED'), indicate('deny')], 7, '健康码异常'],
    ['quarantined', idle, idle, [record('deny', 'CODE_GREEN', 'QUARANTINED'), indicate('deny')], 7, '健康码异常'],
    ['a screenshot shown twice', idle, idle, [record('deny', 'CODE_REPLAYED'), indicate('deny')], 13, '请勿重复使用健康码'],
    ['unknown card', idle, idle, [record('deny', 'CARD_UNKNOWN'), indicate('deny')], 12, '通行证无效'],
    ['risk-area visitor without a test', idle, idle, [record('deny', 'CODE_GREEN', 'RISK_AREA_NO_TEST'), indicate('deny')], 15, '请核酸检测后进入'],
    ['no reading in time', measuring('a'), idle, [record('refer', 'CODE_GREEN', 'NO_TEMPERATURE'), indicate('refer')], 10, '请重新测温'],
    ['device fault', idle, idle, [record('refer', 'CODE_GREEN', 'DEVICE_FAULT'), indicate('refer')], 8, '请联系工作人员'],
    ['fever never re-measured', measuring('a', 38), idle, [record('refer', 'FEVER_UNCONFIRMED'), indicate('refer')], 8, '请联系工作人员'],
    ['a scan while someone passes', passing, passing, [{ type: 'ignored', reason: 'lane-busy', at: 0 }, indicate('busy')], 14, '请稍候，一人一码通行'],
    ['the barrier failed after a grant', passing, idle, [{ type: 'settle', passageId: 'a', outcome: 'barrier-fault', at: 0 }, indicate('refer')], 8, '请联系工作人员'],
    ['passage confirmed: back to idle, silent', passing, idle, [{ type: 'settle', passageId: 'a', outcome: 'passed', at: 0 }, indicate('idle')], undefined, undefined],
  ])('%s', (_name, before, after, effects, number, text) => {
    const clip = announcementFor(catalogue, before, after, effects);
    expect(clip?.number).toBe(number);
    expect(clip?.text).toBe(text);
  });

  it('a late tick closing one card and a new card in the same step: the request for the pass is said last', () => {
    const effects = [record('refer', 'HEALTH_CODE_REQUIRED'), indicate('refer')];
    expect(cuesOf(awaiting('a'), awaiting('b'), effects).map((cue) => cue.on)).toEqual(['decision', 'awaiting-code']);
    expect(announcementFor(catalogue, awaiting('a'), awaiting('b'), effects)?.number).toBe(1);
  });
});
