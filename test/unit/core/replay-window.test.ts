import { describe, expect, it } from 'vitest';
import { ReplayWindow } from '../../../src/core/replay-window.js';

const T = 1_772_000_000_000;
const WINDOW = 60_000;

describe('ReplayWindow', () => {
  it('flags a remembered pass within the window, not at or after its end', () => {
    const window = new ReplayWindow(WINDOW);
    window.remember('fp-1', T);
    expect([T, T + WINDOW - 1, T + WINDOW].map((now) => window.isReplayed('fp-1', now))).toEqual([true, true, false]);
  });

  it('does not flag a pass it was never told about', () => {
    const window = new ReplayWindow(WINDOW);
    window.remember('fp-1', T);
    expect(window.isReplayed('fp-2', T)).toBe(false);
  });

  it('remembering again restarts the window', () => {
    const window = new ReplayWindow(WINDOW);
    window.remember('fp-1', T);
    window.remember('fp-1', T + 50_000);
    expect([window.isReplayed('fp-1', T + WINDOW), window.size]).toEqual([true, 1]);
  });

  it('forgets passes whose window has ended as new ones arrive', () => {
    const window = new ReplayWindow(WINDOW);
    window.remember('fp-1', T);
    window.remember('fp-2', T + 30_000);
    window.remember('fp-3', T + WINDOW);
    expect(window.size).toBe(2);
    expect(['fp-1', 'fp-2', 'fp-3'].map((fp) => window.isReplayed(fp, T + WINDOW))).toEqual([false, true, true]);
  });

  it('is bounded: past maxEntries the oldest go first, even within the window', () => {
    const window = new ReplayWindow(WINDOW, 2);
    ['fp-1', 'fp-2', 'fp-3'].forEach((fp, i) => window.remember(fp, T + i));
    expect(window.size).toBe(2);
    expect(['fp-1', 'fp-2', 'fp-3'].map((fp) => window.isReplayed(fp, T + 3))).toEqual([false, true, true]);
  });

  it('a re-remembered pass counts as newest for the bound', () => {
    const window = new ReplayWindow(WINDOW, 2);
    window.remember('fp-1', T);
    window.remember('fp-2', T + 1);
    window.remember('fp-1', T + 2);
    window.remember('fp-3', T + 3);
    expect(['fp-1', 'fp-2', 'fp-3'].map((fp) => window.isReplayed(fp, T + 3))).toEqual([true, false, true]);
  });
});
