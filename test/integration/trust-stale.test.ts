import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassIssuer } from '../../src/demo/pass-issuer.js';
import { generateEd25519 } from '../../src/secrets.js';
import { startHarness, waitFor, type Harness } from '../helpers/gateway-harness.js';

describe('a gateway whose trust list is past its maximum age', () => {
  const key = generateEd25519('district-1');
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ trust: { maxAgeHours: 24, refreshedAt: '2020-01-01T00:00:00Z', issuers: [{ kid: key.kid, publicKey: key.publicKey }] } });
  });

  afterAll(async () => harness?.stop());

  it('raises one trust-stale alert at start', () => {
    const alerts = harness.gateway.db.prepare("SELECT reasons FROM alerts WHERE type = 'trust-stale'").all();
    expect(alerts).toEqual([{ reasons: '["TRUST_STALE"]' }]);
  });

  it('refers a valid green health pass to the guard instead of granting it', async () => {
    const nowS = Math.floor(Date.now() / 1000);
    harness.thermometer('in-thermo').present(36.5);
    harness.scanner('in-scanner').scan(new PassIssuer(key.kid, key.privateKey).issue({ sub: 'v-1', col: 'green', iat: nowS - 10, exp: nowS + 3600 }));
    const passage = await waitFor(() => harness.passages[0], 'a decision');
    expect(passage.decision).toMatchObject({ verdict: 'refer', reasons: ['TRUST_STALE'], rule: 'trust-stale' });
    expect(harness.barrier('in-barrier').releases).toBe(0);
  });

  it('still admits residents by card, which do not depend on the trust list', async () => {
    harness.thermometer('in-thermo').present(36.5);
    await waitFor(() => harness.gateway.lanes.get('main/in')?.phase === 'idle', 'idle lane');
    harness.scanner('in-scanner').scan('04AABBCCDD');
    const passage = await waitFor(() => harness.passages.find((p) => p.credential === 'card'), 'card decision');
    expect(passage.decision.verdict).toBe('grant');
  });
});
