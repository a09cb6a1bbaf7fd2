import { describe, expect, it } from 'vitest';
import type { AlertDraft } from '../../../src/core/alerts.js';
import type { PassageRecord } from '../../../src/core/lane-types.js';
import { DEFAULT_RULES } from '../../../src/core/estate-facts.js';
import { passageAlerts } from '../../../src/core/passage-alerts.js';
import type { ReasonCode } from '../../../src/core/reasons.js';
import { LANE_SETUP } from '../../../support/lane/lane-setup.js';
import { T0 } from './fixtures/lane.js';

const passageWith = (reasons: ReasonCode[], temperatureC: number | null = 38.4): PassageRecord => ({
  id: 'p-1',
  at: T0,
  gate: 'north',
  lane: 'in-1',
  direction: 'in',
  kind: 'pedestrian',
  credential: 'health-pass',
  subject: { kind: 'health-pass', id: 'person-1' },
  decision: { verdict: 'deny', reasons, rule: 'r', policyVersion: 'v' },
  temperatureC,
  readings: temperatureC === null ? [] : [temperatureC],
  mode: 'normal',
});
const brief = (alerts: AlertDraft[]) => alerts.map((a) => `${a.type}/${a.severity}/${a.reasons.join(',')}`);

describe('passageAlerts', () => {
  it.each<[string, ReasonCode[], string[]]>([
    ['normal grant', ['CODE_GREEN', 'TEMP_NORMAL'], []],
    ['confirmed fever', ['FEVER'], ['fever/critical/FEVER', 'suspected-case/critical/FEVER']],
    ['soft fever', ['CODE_GREEN', 'FEVER_SOFT'], ['fever/critical/FEVER_SOFT', 'suspected-case/critical/FEVER_SOFT']],
    ['red code', ['CODE_RED'], ['code-abnormal/critical/CODE_RED']],
    ['yellow code', ['CODE_YELLOW'], ['code-abnormal/warning/CODE_YELLOW']],
    ['bad signature and replay', ['CODE_BAD_SIGNATURE', 'CODE_REPLAYED'], ['code-abnormal/warning/CODE_BAD_SIGNATURE,CODE_REPLAYED']],
    ['unknown issuer', ['CODE_UNKNOWN_ISSUER'], ['code-abnormal/warning/CODE_UNKNOWN_ISSUER']],
    ['expired pass (not abnormal for the district)', ['CODE_EXPIRED'], []],
    ['malformed code', ['CODE_MALFORMED'], []],
    ['unknown card', ['CARD_UNKNOWN'], []],
    ['stale trust list (alerted by the trust monitor)', ['TRUST_STALE'], []],
    ['no temperature', ['NO_TEMPERATURE'], ['device-fault/warning/NO_TEMPERATURE']],
    ['thermometer offline', ['DEVICE_FAULT', 'NO_TEMPERATURE'], ['device-fault/warning/NO_TEMPERATURE']],
    ['implausible temperature', ['TEMP_IMPLAUSIBLE'], ['device-fault/warning/TEMP_IMPLAUSIBLE']],
    ['red code with a fever', ['CODE_RED', 'FEVER'], ['fever/critical/FEVER', 'suspected-case/critical/FEVER', 'code-abnormal/critical/CODE_RED']],
    ['unconfirmed fever', ['FEVER_UNCONFIRMED'], ['fever/warning/FEVER_UNCONFIRMED']],
    ['outsider in lockdown', ['LOCKDOWN_NO_ENTRY'], ['lockdown-breach/warning/LOCKDOWN_NO_ENTRY']],
    ['leaving without an exit pass', ['EXIT_PASS_REQUIRED'], ['lockdown-breach/warning/EXIT_PASS_REQUIRED']],
    ['quarantined', ['QUARANTINED'], ['quarantine-breach/critical/QUARANTINED']],
    ['recovered without a test', ['RECOVERED_NO_TEST'], ['quarantine-breach/critical/RECOVERED_NO_TEST']],
    ['entered twice', ['CARD_VALID', 'ANTI_PASSBACK'], ['anti-passback/warning/ANTI_PASSBACK']],
    ['general contact with a fever', ['GENERAL_CONTACT', 'FEVER'], ['fever/critical/FEVER', 'suspected-case/critical/FEVER,GENERAL_CONTACT']],
    ['risk area without a test (no alert: the visitor is simply refused)', ['RISK_AREA_NO_TEST'], []],
  ])('%s', (_name, reasons, expected) => {
    expect(brief(passageAlerts(passageWith(reasons), LANE_SETUP, DEFAULT_RULES, false))).toEqual(expected);
  });

  it('raises no suspected-case alert when the policy does not ask for one', () => {
    expect(brief(passageAlerts(passageWith(['FEVER']), { ...LANE_SETUP, suspectedCaseOnFever: false }, DEFAULT_RULES, false))).toEqual(['fever/critical/FEVER']);
  });

  it.each<[string, ReasonCode[], string[]]>([
    ['a normal reading', ['FEVER'], []],
    ['a first fever reading never re-measured', ['FEVER', 'FEVER_UNCONFIRMED'], []],
    ['a general contact', ['FEVER', 'GENERAL_CONTACT'], []],
    ['a red code: its own alert still raised', ['FEVER', 'CODE_RED'], ['code-abnormal/critical/CODE_RED']],
  ])('a retry refused by the fever hold, with %s, raises no fever or suspected-case alert (reported when the hold began)', (_name, reasons, expected) => {
    const held = passageWith(reasons, 36.3);
    expect(brief(passageAlerts({ ...held, decision: { ...held.decision, rule: 'fever-hold' } }, LANE_SETUP, DEFAULT_RULES, false))).toEqual(expected);
  });

  it('a thermometer fault already alerted is not alerted again; other alerts still are', () => {
    expect(brief(passageAlerts(passageWith(['CODE_RED', 'NO_TEMPERATURE'], null), LANE_SETUP, DEFAULT_RULES, true))).toEqual(['code-abnormal/critical/CODE_RED']);
  });

  it('each alert names the passage, its place and time, the verdict, the temperature and the direction', () => {
    const [fever, , thermometer] = [...passageAlerts(passageWith(['FEVER']), LANE_SETUP, DEFAULT_RULES, false), ...passageAlerts(passageWith(['NO_TEMPERATURE'], null), LANE_SETUP, DEFAULT_RULES, false)];
    expect(fever).toMatchObject({ at: T0, gate: 'north', lane: 'in-1', passageId: 'p-1', details: { verdict: 'deny', temperatureC: 38.4, direction: 'in' } });
    expect(thermometer?.details).toEqual({ verdict: 'deny', temperatureC: null, direction: 'in', device: 'thermometer' });
  });

  it('a suspected-case alert carries the routing contacts; drill decisions tag every alert', () => {
    const rules = { ...DEFAULT_RULES, suspectedCaseContacts: ['district CDC', 'police 110'] };
    const alerts = passageAlerts({ ...passageWith(['FEVER']), drill: true }, LANE_SETUP, rules, false);
    expect(alerts.find((a) => a.type === 'suspected-case')?.details).toMatchObject({ routing: 'district CDC; police 110', drill: true });
    expect(alerts.every((a) => a.details.drill === true)).toBe(true);
    expect(passageAlerts(passageWith(['FEVER']), LANE_SETUP, rules, false).some((a) => 'drill' in a.details)).toBe(false);
  });
});
