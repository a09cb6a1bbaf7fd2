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
} as const;

/** A stable reason code string, for example `FEVER`. */
export type ReasonCode = keyof typeof REASONS;

export const REASON_CODES = Object.keys(REASONS) as ReasonCode[];
