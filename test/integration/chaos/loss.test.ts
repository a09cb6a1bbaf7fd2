import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { runLoss } from '../../../support/chaos/loss.js';
import { describeWithTools } from '../../../support/tools/system-tools.js';
import { MOSQUITTO_TOOLS } from '../../../support/brokers/mosquitto.js';

/**
 * The loss test of `npm run chaos -- --only loss`, small enough for `npm test`:
 * the real gateway process under the demo crowd, the Mosquitto broker down
 * for a few seconds and three SIGKILLs. Every recorded passage and alert
 * must reach the persistent QoS 1 subscriber. `npm test` builds dist first.
 */
describeWithTools(MOSQUITTO_TOOLS, 'chaos: nothing recorded is lost across SIGKILLs and a broker outage', () => {
  it('delivers every passage and alert row, and no barrier opens without a recorded grant', { timeout: 120_000 }, async () => {
    expect(existsSync(fileURLToPath(new URL('../../../dist/cli.js', import.meta.url))), 'dist/cli.js (npm run build)').toBe(true);
    const report = await runLoss({ durationMs: 15_000, kills: 3, brokerOutageMs: 4000, lanes: 12, arrivalEveryMs: 1200 }, () => {});
    expect(report.passages).toBeGreaterThan(20);
    expect(report.lostIds).toEqual([]);
    expect(report.delivered).toBe(report.recorded);
    expect(report.barrierForced).toBe(0);
    expect(report.faults.filter((fault) => fault.kind === 'sigkill')).toHaveLength(3);
  });
});
