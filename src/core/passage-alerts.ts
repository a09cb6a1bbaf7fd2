import type { AlertDraft, AlertSeverity, AlertType } from './alerts.js';
import type { EstateRules } from './estate-facts.js';
import { FEVER_HOLD_RULE } from './fever-hold.js';
import type { LaneSetup, PassageRecord } from './lane-types.js';
import type { ReasonCode } from './reasons.js';

/** Reasons that make a scanned code "abnormal" for the district (estate plan, rule 1). */
const ABNORMAL_CODE: readonly ReasonCode[] = ['CODE_RED', 'CODE_YELLOW', 'CODE_BAD_SIGNATURE', 'CODE_UNKNOWN_ISSUER', 'CODE_REPLAYED'];

/** Reasons that mean the thermometer did not give a usable reading. */
export const THERMOMETER_FAULT: readonly ReasonCode[] = ['NO_TEMPERATURE', 'TEMP_IMPLAUSIBLE'];

const FEVER: readonly ReasonCode[] = ['FEVER', 'FEVER_SOFT'];

/** A fever reading that no second sample confirmed: still reported, since every fever reading is (docs/rules.md). */
const UNCONFIRMED_FEVER: readonly ReasonCode[] = ['FEVER_UNCONFIRMED', 'FEVER_REMEASURED_NORMAL'];

/** Alerts raised whenever one of their reasons is on the decision: type, severity, reasons. */
const REASON_ALERTS: ReadonlyArray<{ type: AlertType; severity: AlertSeverity; reasons: readonly ReasonCode[] }> = [
  { type: 'lockdown-breach', severity: 'warning', reasons: ['LOCKDOWN_NO_ENTRY', 'EXIT_PASS_REQUIRED'] },
  { type: 'quarantine-breach', severity: 'critical', reasons: ['QUARANTINED', 'RECOVERED_NO_TEST'] },
  { type: 'anti-passback', severity: 'warning', reasons: ['ANTI_PASSBACK'] },
];

/**
 * The alerts a decided passage raises. A confirmed fever is reported at once as
 * a `fever` and, by policy or when the person is a general contact, a
 * `suspected-case` routed to the configured contacts (estate plan, rules 3 and 5).
 * Drill decisions tag their alerts `drill: true` (rule 8).
 */
export function passageAlerts(passage: PassageRecord, setup: LaneSetup, rules: EstateRules, thermometerFaultAlerted: boolean): AlertDraft[] {
  const { reasons } = passage.decision;
  const base = {
    at: passage.at,
    gate: passage.gate,
    lane: passage.lane,
    passageId: passage.id,
    details: {
      verdict: passage.decision.verdict,
      temperatureC: passage.temperatureC,
      direction: passage.direction,
      ...(passage.drill ? { drill: true } : {}),
    },
  };
  const alerts: AlertDraft[] = [];
  const routing = rules.suspectedCaseContacts.join('; ');
  // Every reading taken and the threshold, so the district sees what was measured, not only the verdict.
  const measured = { ...base.details, readingsC: passage.readings.join(', '), thresholdC: setup.screening.feverThresholdC };
  // A retry refused by the fever hold is the fever already reported when the hold began: its readings are on the passage.
  const held = passage.decision.rule === FEVER_HOLD_RULE;
  const fever = held ? [] : reasons.filter((r) => FEVER.includes(r));
  if (fever.length > 0) {
    alerts.push({ ...base, type: 'fever', severity: 'critical', reasons: fever, details: measured });
    const contact = reasons.includes('GENERAL_CONTACT');
    if (setup.suspectedCaseOnFever || contact) {
      alerts.push({ ...base, type: 'suspected-case', severity: 'critical', reasons: contact ? [...fever, 'GENERAL_CONTACT'] : fever, details: { ...base.details, routing } });
    }
  }
  const unconfirmed = held ? [] : reasons.filter((r) => UNCONFIRMED_FEVER.includes(r));
  if (unconfirmed.length > 0) {
    alerts.push({ ...base, type: 'fever', severity: 'warning', reasons: unconfirmed, details: { ...measured, confirmed: false } });
  }
  // Estate plan, rule 3: a positive test at the gate is a suspected case, reported at once.
  if (reasons.includes('TEST_POSITIVE')) {
    alerts.push({ ...base, type: 'suspected-case', severity: 'critical', reasons: ['TEST_POSITIVE'], details: { ...base.details, routing } });
  }
  const abnormal = reasons.filter((r) => ABNORMAL_CODE.includes(r));
  if (abnormal.length > 0) {
    alerts.push({ ...base, type: 'code-abnormal', severity: abnormal.includes('CODE_RED') ? 'critical' : 'warning', reasons: abnormal });
  }
  for (const rule of REASON_ALERTS) {
    const matched = reasons.filter((r) => rule.reasons.includes(r));
    if (matched.length > 0) alerts.push({ ...base, type: rule.type, severity: rule.severity, reasons: matched });
  }
  const thermometer = reasons.filter((r) => THERMOMETER_FAULT.includes(r));
  if (thermometer.length > 0 && !thermometerFaultAlerted) {
    alerts.push({ ...base, type: 'device-fault', severity: 'warning', reasons: thermometer, details: { ...base.details, device: 'thermometer' } });
  }
  return alerts;
}
