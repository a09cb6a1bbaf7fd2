import { afterEach, describe, expect, it } from 'vitest';
import { PassIssuer } from '../../src/demo/pass-issuer.js';
import { generateEd25519 } from '../../src/secrets.js';
import { startHarness, waitFor, type Harness } from '../../support/gateway/gateway-harness.js';
import { RESIDENT, showCardThenPass } from '../helpers/resident.js';

const issuerKey = generateEd25519('district-1');
const issuer = new PassIssuer(issuerKey.kid, issuerKey.privateKey);
const nowS = () => Math.floor(Date.now() / 1000);
const greenPass = (sub: string) => issuer.issue({ sub, col: 'green', iat: nowS() - 60, exp: nowS() + 3600 });

/**
 * A passage listener runs after the grant is recorded and before the barrier
 * moves. Whatever it does (the estate registry writes to SQLite, the guard room
 * feeds its page), its failure must not keep a recorded grant's barrier shut.
 */
describe('a failing passage listener', () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  it('does not skip the release of a grant already recorded', async () => {
    harness = await startHarness(
      { trust: { maxAgeHours: 24, issuers: [{ kid: issuerKey.kid, publicKey: issuerKey.publicKey }] } },
      {
        onPassage: () => {
          throw new Error('listener broke');
        },
      },
    );
    const barrier = harness.barrier('out-barrier');
    // The exit lane screens no temperature: the pass after the card is decided at once.
    showCardThenPass(harness.scanner('out-scanner'), greenPass(RESIDENT.subject));

    const recorded = harness.gateway.db.prepare("SELECT verdict FROM passages WHERE gate = 'main' AND lane = 'out'").get();
    expect(recorded).toEqual({ verdict: 'grant' });
    await waitFor(() => barrier.releases === 1, 'release of the recorded grant', 2000);
    // Logged (GW_LISTENER) and counted, for the metrics.
    expect(harness.gateway.events.failures).toBe(1);
  });
});
