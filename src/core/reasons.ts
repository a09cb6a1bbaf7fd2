/**
 * Reason codes: the one place they are defined. Every passage row and every
 * alert carries them, so a log never disagrees with what the barrier did.
 * The strings are stable: they are part of the MQTT contract.
 */
export const REASONS = {
  CODE_GREEN: 'health pass valid and green',
  CARD_VALID: 'card found in the roster',
  TEMP_NORMAL: 'temperature below the fever threshold',
  FEVER: 'temperature at or above the fever threshold, confirmed by a second reading',
  FEVER_SOFT: 'fever confirmed on a lane with soft enforcement: allowed, alerted',
  TEMP_IMPLAUSIBLE: 'temperature outside the plausible body range after re-measuring',
  NO_TEMPERATURE: 'no fresh temperature reading arrived in time',
  CODE_RED: 'health code is red',
  CODE_YELLOW: 'health code is yellow',
  CODE_EXPIRED: 'health pass expired or not yet valid',
  CODE_BAD_SIGNATURE: 'health pass signature does not verify',
  CODE_UNKNOWN_ISSUER: 'health pass issuer is not in the trust list',
  CODE_MALFORMED: 'scanned code is not a recognised credential',
  CODE_REPLAYED: 'the same pass was granted moments ago (screenshot sharing)',
  CARD_UNKNOWN: 'card is not in the roster',
  TRUST_STALE: 'trust list is older than its maximum age',
  DEVICE_FAULT: 'a device the lane needs is offline',
  EMERGENCY_OPEN: 'emergency-open: all barriers released for life safety',
  MANUAL_RELEASE: 'released by a guard',
  FEVER_UNCONFIRMED: 'a first reading at or above the threshold was not re-measured in time: the guard decides',
  VISITOR_PASS_VALID: 'visitor pass valid for now (estate plan, rule 1)',
  VISITOR_PASS_INVALID: 'visitor pass unknown, revoked or not signed by this estate',
  VISITOR_PASS_EXPIRED: 'visitor pass outside its validity window',
  VEHICLE_RESIDENT: 'plate found in the resident vehicle roster',
  VEHICLE_VISITOR: 'plate bound to a valid visitor pass',
  PLATE_UNKNOWN: 'plate neither in the vehicle roster nor on a valid visitor pass',
  RISK_AREA_NO_TEST: 'visitor from a medium/high-risk area without a negative test within 7 days (rule 2)',
  RISK_LIST_STALE: 'risk-area list is older than its maximum age: the guard decides',
  LOCKDOWN_NO_ENTRY: 'lockdown: no outside people or vehicles (rule 4)',
  LOCKDOWN_EXEMPT: 'lockdown rules waived for an exempt role (medical, emergency staff)',
  EXIT_PASS_REQUIRED: 'lockdown: leaving needs a valid exit pass (rule 4)',
  EXIT_PASS_VALID: 'lockdown: leaving on a valid exit pass',
  QUARANTINED: 'on the quarantine list (or still isolating after recovery): refused both ways (rule 5)',
  RECOVERED_NO_TEST: 'recovered patient without a negative test dated after release (rule 5)',
  GENERAL_CONTACT: 'on the general-contact list: passes, monitored (rule 5)',
  ANTI_PASSBACK: 'entered twice without leaving in between',
  DRILL_NOT_ENFORCED: 'drill with enforcement off: a lockdown refusal was recorded, the barrier opened',
  HEALTH_CODE_REQUIRED: 'a card, visitor pass or plate identifies; no health pass was shown with it in time (rule 1)',
  CODE_MISMATCH: 'the health pass shown names another person than the card or visitor pass',
  TEST_POSITIVE: 'the health pass carries a positive nucleic-acid test: reported as a suspected case (rule 3)',
  CARD_ALONE_POLICY: 'card alone let in by the estate policy cardAloneEntry (normal mode only)',
  FEVER_REMEASURED_NORMAL: 'a first reading at or above the threshold was re-measured normal on a new sample: allowed, alerted',
  SCREENING_INTERRUPTED: 'the next scan came before a reading: this attempt is recorded as not screened',
  PLATE_REQUIRED: 'a health pass at a vehicle lane with no plate read: the guard decides',
} as const;

/** A stable reason code string, for example `FEVER`. */
export type ReasonCode = keyof typeof REASONS;

export const REASON_CODES = Object.keys(REASONS) as ReasonCode[];
