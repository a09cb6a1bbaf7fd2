import type { AlertDraft } from './alerts.js';
import type { LaneSetup, PassageRecord } from './lane-types.js';
import type { ReasonCode } from './reasons.js';

/** Reasons that make a scanned code "abnormal" for the district (estate plan, rule 1). */
const ABNORMAL_CODE: readonly ReasonCode[] = ['CODE_RED', 'CODE_YELLOW', 'CODE_BAD_SIGNATURE', 'CODE_UNKNOWN_ISSUER', 'CODE_REPLAYED'];

/** Reasons that mean the thermometer did not give a usable reading. */
export const THERMOMETER_FAULT: readonly ReasonCode[] = ['NO_TEMPERATURE', 'TEMP_IMPLAUSIBLE'];

/**
 * The alerts a decided passage raises. A confirmed fever is reported at once as
 * a `fever` and, by policy, a `suspected-case` (estate plan, rule 3).
 */
export function passageAlerts(passage: PassageRecord, setup: LaneSetup, thermometerFaultAlerted: boolean): AlertDraft[] {
  const { reasons } = passage.decision;
  const base = {
    at: passage.at,
    gate: passage.gate,
    lane: passage.lane,
    passageId: passage.id,
    details: { verdict: passage.decision.verdict, temperatureC: passage.temperatureC, direction: passage.direction },
  };
  const alerts: AlertDraft[] = [];
  const fever = reasons.filter((r) => r === 'FEVER' || r === 'FEVER_SOFT');
  if (fever.length > 0) {
    alerts.push({ ...base, type: 'fever', severity: 'critical', reasons: fever });
    if (setup.suspectedCaseOnFever) alerts.push({ ...base, type: 'suspected-case', severity: 'critical', reasons: fever });
  }
  const abnormal = reasons.filter((r) => ABNORMAL_CODE.includes(r));
  if (abnormal.length > 0) {
    alerts.push({ ...base, type: 'code-abnormal', severity: abnormal.includes('CODE_RED') ? 'critical' : 'warning', reasons: abnormal });
  }
  const thermometer = reasons.filter((r) => THERMOMETER_FAULT.includes(r));
  if (thermometer.length > 0 && !thermometerFaultAlerted) {
    alerts.push({ ...base, type: 'device-fault', severity: 'warning', reasons: thermometer, details: { ...base.details, device: 'thermometer' } });
  }
  return alerts;
}
