/** Screening thresholds; defaults follow the estate plan (fever at 37.3 °C). */
export interface ScreeningRules {
  feverThresholdC: number;
  plausibleMinC: number;
  plausibleMaxC: number;
}

export type ReadingClass = 'normal' | 'fever' | 'implausible';

/** A reading is judged only when it is a plausible body temperature; anything else is re-measured. */
export function classifyReading(celsius: number, rules: ScreeningRules): ReadingClass {
  if (!Number.isFinite(celsius) || celsius < rules.plausibleMinC || celsius > rules.plausibleMaxC) {
    return 'implausible';
  }
  return celsius >= rules.feverThresholdC ? 'fever' : 'normal';
}
