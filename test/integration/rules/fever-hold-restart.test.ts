import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/load-config.js';
import type { PassageRecord } from '../../../src/core/lane-types.js';
import { PassIssuer } from '../../../src/demo/pass-issuer.js';
import type { VirtualScanner } from '../../../src/drivers/virtual/virtual-scanner.js';
import type { VirtualThermometer } from '../../../src/drivers/virtual/virtual-thermometer.js';
import { startGateway } from '../../../src/gateway.js';
import { generateEd25519 } from '../../../src/secrets.js';
import { harnessConfig, waitFor } from '../../../support/gateway/gateway-harness.js';

/**
 * The fever hold is kept in memory and restored at start from the passages refused with a confirmed fever within
 * the hold: a restart between the refusal and the retry does not let the person in on a normal reading.
 */
describe('the fever hold across a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-fever-hold-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const start = Date.UTC(2026, 2, 10, 6, 0, 0);
  const now = { t: start };
  const key = generateEd25519('district-health');
  const config = validateConfig(harnessConfig(dir, { trust: { maxAgeHours: 24, issuers: [{ kid: key.kid, publicKey: key.publicKey }] } }), 'fever-hold');
  const pass = new PassIssuer(key.kid, key.privateKey).issue({ sub: 'visitor-fever', col: 'green', iat: start / 1000 - 60, exp: start / 1000 + 7200 });

  /** Starts the gateway, shows the pass at main/in with these readings, and stops it: the decision and its alerts. */
  async function showOnce(celsius: number | number[]): Promise<{ passage: PassageRecord; alerts: string[] }> {
    const passages: PassageRecord[] = [];
    const gateway = await startGateway({ config, log: pino({ level: 'silent' }), clock: { now: () => now.t }, onPassage: (p) => passages.push(p) });
    try {
      (gateway.devices.get('in-thermo') as VirtualThermometer).present(celsius);
      (gateway.devices.get('in-scanner') as VirtualScanner).scan(pass);
      const passage = await waitFor(() => passages[0], 'a decision at main/in');
      const alerts = gateway.db.prepare('SELECT type FROM alerts WHERE passage_id = ? ORDER BY type').pluck().all(passage.id) as string[];
      return { passage, alerts };
    } finally {
      await gateway.stop();
    }
  }

  it('refuses the retry after a restart within the hold, and decides on the reading once the hold has ended', async () => {
    const refused = await showOnce([38.6, 38.7]);
    expect(refused.passage.decision).toMatchObject({ verdict: 'deny', reasons: ['FEVER'], rule: 'temperature-screening' });
    expect(refused.alerts).toEqual(['fever', 'suspected-case']);

    now.t = start + 60_000;
    const held = await showOnce(36.3);
    expect(held.passage.decision).toMatchObject({ verdict: 'deny', reasons: ['FEVER'], rule: 'fever-hold' });
    expect(held.passage.readings).toEqual([36.3]);
    expect(held.alerts).toEqual([]);

    // 30.5 minutes after the refusal (policy.feverHoldMinutes, 30 by default): the held retry did not prolong the hold.
    now.t = start + 30.5 * 60_000;
    expect((await showOnce(36.3)).passage.decision).toMatchObject({ verdict: 'grant', reasons: ['CODE_GREEN', 'TEMP_NORMAL'] });
  });
});
