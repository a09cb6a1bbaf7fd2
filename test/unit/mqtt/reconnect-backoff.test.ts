import { describe, expect, it } from 'vitest';
import { RECONNECT_BACKOFF, reconnectDelayMs } from '../../../src/mqtt/reconnect-backoff.js';

describe('reconnect back-off', () => {
  it.each([
    [0, 500],
    [1, 1000],
    [2, 2000],
    [5, 16_000],
    [6, 30_000],
    [60, 30_000],
    [10_000, 30_000],
  ])('attempt %i waits %i ms before jitter', (attempt, base) => {
    expect(reconnectDelayMs(attempt, 0.5)).toBe(base);
  });

  it('jitters by at most ±20 %, both ways', () => {
    expect(reconnectDelayMs(3, 0)).toBe(3200);
    expect(reconnectDelayMs(3, 0.999_999)).toBe(4800);
    expect(reconnectDelayMs(20, 0)).toBe(24_000);
    expect(RECONNECT_BACKOFF).toEqual({ initialMs: 500, maxMs: 30_000, jitter: 0.2 });
  });
});
