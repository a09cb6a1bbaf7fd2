import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassIssuer } from '../../src/demo/pass-issuer.js';
import { generateEd25519 } from '../../src/secrets.js';
import { startHarness, waitFor, type Harness } from '../../support/gateway/gateway-harness.js';
import { RESIDENT, showCardThenPass } from '../helpers/resident.js';

describe('a gateway whose trust list is past its maximum age', () => {
  const key = generateEd25519('district-1');
  const staleTrust = { maxAgeHours: 24, refreshedAt: '2020-01-01T00:00:00Z', issuers: [{ kid: key.kid, publicKey: key.publicKey }] };
  let harness: Harness;
  const passOf = (sub: string, iat = Math.floor(Date.now() / 1000) - 10) => new PassIssuer(key.kid, key.privateKey).issue({ sub, col: 'green', iat, exp: iat + 3600 });

  beforeAll(async () => {
    harness = await startHarness({ trust: staleTrust });
  });

  afterAll(async () => harness?.stop());

  it('raises one trust-stale alert at start', () => {
    const alerts = harness.gateway.db.prepare("SELECT reasons FROM alerts WHERE type = 'trust-stale'").all();
    expect(alerts).toEqual([{ reasons: '["TRUST_STALE"]' }]);
  });

  it('refers a valid green health pass to the guard instead of granting it', async () => {
    harness.thermometer('in-thermo').present(36.5);
    harness.scanner('in-scanner').scan(passOf('v-1'));
    const passage = await waitFor(() => harness.passages[0], 'a decision');
    expect(passage.decision).toMatchObject({ verdict: 'refer', reasons: ['TRUST_STALE'], rule: 'trust-stale' });
    expect(harness.barrier('in-barrier').releases).toBe(0);
  });

  it('refers a resident showing card then pass too: the code is judged on the stale list', async () => {
    harness.thermometer('in-thermo').present(36.5);
    await waitFor(() => harness.gateway.lanes.get('main/in')?.phase === 'idle', 'idle lane');
    showCardThenPass(harness.scanner('in-scanner'), passOf(RESIDENT.subject));
    const passage = await waitFor(() => harness.passages.find((p) => p.credential === 'card'), 'card and pass decision');
    expect(passage.decision).toMatchObject({ verdict: 'refer', reasons: ['TRUST_STALE'], rule: 'trust-stale' });
  });

  it('still admits residents by card alone where the estate allows it, which does not depend on the trust list', async () => {
    // This test is about cards: the estate's relaxing policy (policy.cardAloneEntry) lets a roster card in alone.
    const relaxed = await startHarness({ trust: staleTrust, policy: { version: 'test-1', measureTimeoutMs: 1500, passageTimeoutMs: 1500, cardAloneEntry: true } });
    try {
      relaxed.thermometer('in-thermo').present(36.5);
      relaxed.scanner('in-scanner').scan(RESIDENT.uid);
      const passage = await waitFor(() => relaxed.passages.find((p) => p.credential === 'card'), 'card decision');
      expect(passage.decision).toMatchObject({ verdict: 'grant', reasons: ['CARD_ALONE_POLICY', 'CARD_VALID', 'TEMP_NORMAL'], rule: 'card-alone-entry' });
    } finally {
      await relaxed.stop();
    }
  });
});
