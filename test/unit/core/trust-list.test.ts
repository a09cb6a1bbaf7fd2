import { describe, expect, it } from 'vitest';
import { isTrustStale, type TrustList } from '../../../src/core/trust-list.js';

const REFRESHED = 1_772_000_000_000;
const HOUR = 3_600_000;
const list = (maxAgeMs: number | null): TrustList => ({ issuers: {}, refreshedAt: REFRESHED, maxAgeMs });

describe('isTrustStale', () => {
  it.each([
    ['just refreshed', HOUR, 0, false],
    ['exactly the maximum age (boundary: still fresh)', HOUR, HOUR, false],
    ['one ms past the maximum age', HOUR, HOUR + 1, true],
    ['long past the maximum age', HOUR, 30 * 24 * HOUR, true],
    ['maximum age 0, same instant', 0, 0, false],
    ['maximum age 0, one ms later', 0, 1, true],
    ['no maximum age (null), a year later', null, 365 * 24 * HOUR, false],
    ['clock behind the refresh time', HOUR, -HOUR, false],
  ])('%s', (_name, maxAgeMs, age, stale) => {
    expect(isTrustStale(list(maxAgeMs), REFRESHED + age)).toBe(stale);
  });
});
