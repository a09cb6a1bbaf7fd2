import { describe, expect, it } from 'vitest';
import { RecentSet } from '../../../src/core/recent-set.js';

describe('RecentSet', () => {
  it('keeps at most max members, forgetting the one added longest ago', () => {
    const set = new RecentSet(3);
    for (const key of ['a', 'b', 'c', 'd']) set.add(key);
    expect(set.size).toBe(3);
    expect(['a', 'b', 'c', 'd'].map((key) => set.has(key))).toEqual([false, true, true, true]);
  });

  it('makes a member added again the newest, so it outlives those added after its first time', () => {
    const set = new RecentSet(3);
    for (const key of ['a', 'b', 'c', 'a', 'd']) set.add(key);
    expect(['a', 'b', 'c', 'd'].map((key) => set.has(key))).toEqual([true, false, true, true]);
  });

  it('stays bounded over a turnover far larger than max, deletes included', () => {
    const set = new RecentSet(1000);
    for (let i = 0; i < 100_000; i += 1) {
      set.add(`p-${i}`);
      if (i % 3 === 0) set.delete(`p-${i - 1}`);
    }
    expect(set.size).toBeLessThanOrEqual(1000);
    expect(set.has('p-99999')).toBe(true);
    expect(set.has('p-0')).toBe(false);
  });
});
