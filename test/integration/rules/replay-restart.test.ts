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
 * The replay window survives a restart (found from outside: a pass granted,
 * the gateway restarted, the same pass granted again within the window).
 */
describe('the replay window across a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-replay-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a pass granted just before the restart as CODE_REPLAYED', async () => {
    const key = generateEd25519('district-health');
    const config = validateConfig(harnessConfig(dir, { trust: { maxAgeHours: 24, issuers: [{ kid: key.kid, publicKey: key.publicKey }] } }), 'replay');
    const nowS = Math.floor(Date.now() / 1000);
    const pass = new PassIssuer(key.kid, key.privateKey).issue({ sub: 'resident-1', col: 'green', iat: nowS - 60, exp: nowS + 3600 });

    const showOnce = async (): Promise<PassageRecord> => {
      const passages: PassageRecord[] = [];
      const gateway = await startGateway({ config, log: pino({ level: 'silent' }), onPassage: (p) => passages.push(p) });
      try {
        (gateway.devices.get('in-thermo') as VirtualThermometer).present(36.5);
        (gateway.devices.get('in-scanner') as VirtualScanner).scan(pass);
        return await waitFor(() => passages[0], 'a decision at main/in');
      } finally {
        await gateway.stop();
      }
    };

    expect((await showOnce()).decision).toMatchObject({ verdict: 'grant' });
    expect((await showOnce()).decision).toMatchObject({ verdict: 'deny', reasons: expect.arrayContaining(['CODE_REPLAYED']) });
  });
});
