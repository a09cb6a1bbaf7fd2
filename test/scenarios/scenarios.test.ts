import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { playScenario } from '../../support/scenario/player.js';

/**
 * Every timeline in scenarios/ played through the real gateway (real SQLite,
 * embedded broker, virtual devices, simulated clock): issue 5's proof that
 * each rule of the estate plan holds end to end.
 */
const DIR = 'scenarios';
const files = readdirSync(DIR).filter((name) => name.endsWith('.yaml')).sort();

describe('estate-plan scenarios', () => {
  it('there is at least one scenario for each numbered rule of the estate plan', async () => {
    const { loadTimeline } = await import('../../support/scenario/timeline.js');
    const covered = new Set(files.flatMap((file) => loadTimeline(join(DIR, file)).rules));
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].filter((rule) => !covered.has(rule))).toEqual([]);
  });

  it.each(files)('%s', async (file) => {
    const result = await playScenario(join(DIR, file));
    const failures = result.steps.filter((step) => step.problems.length > 0).map((step) => `+${step.at} ${step.what}: ${step.problems.join('; ')}`);
    expect(failures).toEqual([]);
  }, 60_000);
});
