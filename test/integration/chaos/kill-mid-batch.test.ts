import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { runKillMidBatch } from '../../../support/chaos/kill-mid-batch.js';
import { describeWithTools } from '../../../support/tools/system-tools.js';
import { MOSQUITTO_TOOLS } from '../../../support/brokers/mosquitto.js';

/**
 * `npm run chaos -- --only mid-batch`, small enough for `npm test`: the real
 * gateway process, many lanes deciding at once so that the writer thread
 * commits them in batches, SIGKILLed three times. Every barrier OPEN the
 * serial lane's simulator saw has its grant on disk; nothing is half-written.
 */
describeWithTools([...MOSQUITTO_TOOLS, 'socat'], 'chaos: SIGKILL in the middle of a group commit', () => {
  it('keeps the row of every barrier opening, and no row in part', { timeout: 150_000 }, async () => {
    expect(existsSync(fileURLToPath(new URL('../../../dist/cli.js', import.meta.url))), 'dist/cli.js (npm run build)').toBe(true);
    const report = await runKillMidBatch({ durationMs: 16_000, kills: 3, lanes: 24, arrivalEveryMs: 400, ptyArrivalEveryMs: 450 }, () => {});
    expect(report.faults.filter((fault) => fault.kind === 'sigkill')).toHaveLength(3);
    expect(report.passages).toBeGreaterThan(50);
    expect(report.barrierOpens).toBeGreaterThan(3);
    expect(report.opensWithoutGrant).toBe(0);
    expect(report.halfWritten).toEqual([]);
    expect(report.chainFaults).toEqual([]);
    expect(report.lostIds).toEqual([]);
  });
});
