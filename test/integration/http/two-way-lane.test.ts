import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiToken, hashApiToken } from '../../../src/http/api-tokens.js';
import { startHarness, waitFor, type Harness } from '../../../support/gateway/gateway-harness.js';

/**
 * A two-way lane (a scanner each side of one barrier) is `both` on the lanes
 * API and the guard-room page, and its last passage says which way it went:
 * the page showed every such lane as "in" (found by reading the page).
 */
describe('a two-way lane on the lanes API', () => {
  const token = generateApiToken();
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({
      gates: [{ id: 'side', name: 'Side gate', lanes: [{ id: 'both', direction: 'both', devices: { scanner: 'side-in', exitScanner: 'side-out', thermometer: 'side-thermo', barrier: 'side-barrier' } }] }],
      devices: [
        { id: 'side-in', role: 'scanner', driver: 'virtual' },
        { id: 'side-out', role: 'scanner', driver: 'virtual' },
        { id: 'side-thermo', role: 'thermometer', driver: 'virtual' },
        { id: 'side-barrier', role: 'barrier', driver: 'virtual' },
      ],
      http: { enabled: true, host: '127.0.0.1', port: 0, tokens: [{ name: 'guard-test', role: 'guard', hash: hashApiToken(token) }] },
    });
  }, 60_000);

  afterAll(async () => harness?.stop());

  const lane = async () => {
    const response = await fetch(`${harness.gateway.http?.url ?? ''}/api/lanes`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    const items = (await response.json()) as Array<{ id: string; direction: string; lastPassage: { direction: string } | null }>;
    return items.find((item) => item.id === 'side/both');
  };

  it('is "both", and its last passage is "out" after a scan on the exit side', async () => {
    expect(await lane()).toMatchObject({ direction: 'both', lastPassage: null });
    harness.scanner('side-out').scan('not a code');
    await waitFor(() => harness.passages.length > 0, 'the exit-side decision', 5000);
    expect(await lane()).toMatchObject({ direction: 'both', lastPassage: { direction: 'out' } });
  });
});
