import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassIssuer } from '../../../src/demo/pass-issuer.js';
import { generateEd25519 } from '../../../src/secrets.js';
import { startHarness, waitFor, type Harness } from '../../../support/gateway/gateway-harness.js';

/**
 * GET /api/trace over the real gateway: passages written by the lanes, the
 * subject looked up through the estate key, managers and auditors only.
 */
describe('GET /api/trace', () => {
  let harness: Harness;
  const token = (role: string) => harness.gateway.issuedApiTokens?.[role] ?? '';
  const get = (path: string, role = 'auditor') => fetch(`${harness.gateway.http?.url}${path}`, { headers: { authorization: `Bearer ${token(role)}` } });

  beforeAll(async () => {
    const issuerKey = generateEd25519('district-health');
    const issuer = new PassIssuer(issuerKey.kid, issuerKey.privateKey);
    const nowS = Math.floor(Date.now() / 1000);
    harness = await startHarness({
      http: { enabled: true, host: '127.0.0.1', port: 0 },
      trust: { maxAgeHours: 24, issuers: [{ kid: issuerKey.kid, publicKey: issuerKey.publicKey }] },
      roster: {
        cards: [
          { uid: '04AABBCCDD', subject: 'resident-1', role: 'resident', household: '1-101' },
          { uid: '04AABBCCEE', subject: 'resident-2', role: 'resident', household: '1-102' },
        ],
      },
    });
    // Card, then the holder's own health pass: the card only identifies (issue 11).
    for (const [uid, sub] of [['04AABBCCDD', 'resident-1'], ['04AABBCCEE', 'resident-2']] as const) {
      const seen = harness.passages.length;
      harness.thermometer('in-thermo').present(36.4);
      harness.barrier('in-barrier').expectWalk(10);
      harness.scanner('in-scanner').scan(uid);
      await new Promise((resolve) => setTimeout(resolve, 100));
      harness.scanner('in-scanner').scan(issuer.issue({ sub, col: 'green', iat: nowS - 60, exp: nowS + 3600 }));
      await waitFor(() => harness.passages.length > seen && harness.gateway.lanes.get('main/in')?.phase === 'idle', `passage of ${uid}`);
    }
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it("returns a card holder's trail and the contact who passed the same gate", async () => {
    const response = await get('/api/trace?subject=04AABBCCDD&kind=card&windowMin=10');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { trail: Array<{ gate: string; verdict: string }>; contacts: Array<{ encounters: number; gates: string[] }> };
    expect(body.trail).toMatchObject([{ gate: 'main', verdict: 'grant' }]);
    expect(body.contacts).toMatchObject([{ encounters: 1, gates: ['main'] }]);
  });

  it('exports the trail as CSV', async () => {
    const response = await get('/api/trace?subject=resident-2&kind=health-pass&format=csv', 'manager');
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await response.text()).trim().split('\r\n');
    expect(lines[0]).toBe('time,gate,lane,direction,verdict,reasons,temperatureC,outcome,passageId');
    expect(lines).toHaveLength(2);
  });

  it('is refused to guards and asks for a subject', async () => {
    expect((await get('/api/trace?subject=resident-1', 'guard')).status).toBe(403);
    const missing = await get('/api/trace');
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ code: 'GW_HTTP_INVALID' });
  });
});
