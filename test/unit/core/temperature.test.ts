import { describe, expect, it } from 'vitest';
import { classifyReading, type ScreeningRules } from '../../../src/core/temperature.js';

const rules: ScreeningRules = { feverThresholdC: 37.3, plausibleMinC: 34, plausibleMaxC: 42.5 };

describe('classifyReading (fever threshold 37.3 °C, plausible 34–42.5 °C)', () => {
  it.each([
    [36.5, 'normal'],
    [37.29, 'normal'],
    [37.3, 'fever'],
    [38.9, 'fever'],
    [34, 'normal'],
    [33.99, 'implausible'],
    [42.5, 'fever'],
    [42.51, 'implausible'],
    [0, 'implausible'],
    [-40, 'implausible'],
    [Number.NaN, 'implausible'],
    [Number.POSITIVE_INFINITY, 'implausible'],
    [Number.NEGATIVE_INFINITY, 'implausible'],
  ])('%d °C → %s', (celsius, expected) => {
    expect(classifyReading(celsius, rules)).toBe(expected);
  });

  it('follows the configured threshold, not a built-in one', () => {
    expect(classifyReading(37.3, { ...rules, feverThresholdC: 37.5 })).toBe('normal');
    expect(classifyReading(33, { ...rules, plausibleMinC: 32 })).toBe('normal');
  });
});
