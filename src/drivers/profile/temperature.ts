import type { Static } from '@sinclair/typebox';
import type { CompensationSchema } from './profile-schema.js';

export type Compensation = Static<typeof CompensationSchema>;

/**
 * Measured surface temperature → reported body temperature: the model's
 * compensation (gain and offset from its datasheet), then the unit's own
 * calibration offset. Rounded to 0.01 °C, below any sensor's resolution.
 */
export function bodyTemperature(measured: number, compensation: Compensation | undefined, calibrationOffset: number): number {
  const compensated = measured * (compensation?.gain ?? 1) + (compensation?.offset ?? 0);
  return Math.round((compensated + calibrationOffset) * 100) / 100;
}

/** A value outside the model's plausible range is a sensor artefact (no target, error code), not a reading. */
export function isPlausible(celsius: number, range: { min: number; max: number }): boolean {
  return Number.isFinite(celsius) && celsius >= range.min && celsius <= range.max;
}
