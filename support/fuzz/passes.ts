import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readHealthPass } from '../../src/core/health-pass.js';
import { readCredential } from '../../src/core/read-credential.js';
import { verifyVisitorPass } from '../../src/core/visitor-pass.js';
import { CONTEXT, healthPassCode, NOW, TRUST, VISITOR_KEY, visitorPassCode, type Code } from './codes.js';
import type { FuzzTarget, Prepared } from './target.js';

/** Counts of what the inputs reached. */
function counter(): { count(key: string): void; stats(): Record<string, number> } {
  const counts: Record<string, number> = {};
  return { count: (key) => void (counts[key] = (counts[key] ?? 0) + 1), stats: () => ({ ...counts }) };
}

/**
 * HP1 health passes through readHealthPass: nothing throws; a forged or
 * look-alike pass is never accepted (no problems); a changed pass is accepted
 * only when it decodes to the very payload and signature it was made from.
 */
export const healthPassTarget: FuzzTarget = {
  name: 'hp1',
  what: 'HP1 health passes (src/core/health-pass.ts readHealthPass): valid, forged under a trusted kid, changed in one place, look-alikes',
  async prepare(): Promise<Prepared<Code>> {
    const { count, stats } = counter();
    return {
      arbitrary: healthPassCode,
      stats,
      check({ code, origin, original }) {
        const credential = readHealthPass(code, TRUST, NOW);
        const accepted = credential.kind === 'health-pass' && credential.problems.length === 0;
        count(accepted ? `${origin} accepted` : `${origin} refused`);
        if (origin === 'valid') assert.equal(credential.kind, 'health-pass');
        if (origin === 'forged') assert.ok(credential.problems.includes('CODE_BAD_SIGNATURE'), 'a pass signed by another key must fail its signature');
        if (origin === 'random') assert.ok(!accepted, 'a look-alike was accepted');
        if (origin === 'mutated' && accepted) assert.deepEqual(credential, readHealthPass(original as string, TRUST, NOW), 'a changed pass was accepted with other contents');
      },
    };
  },
};

/**
 * VP1 visitor passes through verifyVisitorPass and the lane's readCredential
 * (the registry decides valid, revoked, expired, unknown): nothing throws; a
 * pass tagged with another key or a look-alike never verifies; a changed pass
 * verifies only as the token it was made from; only a registered, unrevoked
 * pass in its window reads without problems.
 */
export const visitorPassTarget: FuzzTarget = {
  name: 'vp1',
  what: 'VP1 visitor passes (src/core/visitor-pass.ts verifyVisitorPass, src/core/read-credential.ts): valid, tagged with another key, changed in one place, look-alikes',
  async prepare(): Promise<Prepared<Code & { vehicleLane: boolean }>> {
    const { count, stats } = counter();
    const arbitrary = visitorPassCode.chain((code) => fc.boolean().map((vehicleLane) => ({ ...code, vehicleLane })));
    return {
      arbitrary,
      stats,
      check({ code, origin, original, vehicleLane }) {
        const token = verifyVisitorPass(code, VISITOR_KEY);
        count(token ? `${origin} verified` : `${origin} refused`);
        if (origin === 'valid') assert.ok(token, 'a valid pass did not verify');
        if (origin === 'forged' || origin === 'random') assert.equal(token, undefined, 'a forged or look-alike pass verified');
        if (origin === 'mutated' && token) assert.deepEqual(token, verifyVisitorPass(original as string, VISITOR_KEY), 'a changed pass verified as another token');
        const credential = readCredential(code, CONTEXT, vehicleLane ? 'vehicle' : 'pedestrian');
        if (credential.problems.length > 0) return;
        // Read clean: only a verified token naming the one registered, valid, unrevoked pass (V1).
        assert.ok(!code.trim().startsWith('VP1:') || (credential.kind === 'visitor-pass' && verifyVisitorPass(code.trim(), VISITOR_KEY)?.passId === 'V1'), 'a visitor pass read without problems');
        count('read clean');
      },
    };
  },
};
