import { describe, expect, it } from 'vitest';
import { modeLosses, sameTerms, type ScopedMode } from '../../../src/core/mode.js';

const inForce: ScopedMode = { mode: 'lockdown', reason: 'confirmed case', by: 'manager-zhang', since: 1_000, expiresAt: null, drill: false };
const next = (fields: Partial<ScopedMode>): ScopedMode => ({ ...inForce, reason: 'tweak', by: 'guard-li', since: 2_000, ...fields });

describe('what a mode set over one in force gives up', () => {
  it.each([
    ['any expiry over one that runs until lifted', inForce, next({ expiresAt: 9_999_999 }), ['expiresAt']],
    ['an earlier expiry', { ...inForce, expiresAt: 50_000 }, next({ expiresAt: 49_999 }), ['expiresAt']],
    ['a drill over a real one, ending sooner too', { ...inForce, expiresAt: 50_000 }, next({ expiresAt: 10_000, drill: true }), ['expiresAt', 'drill']],
    ['a drill emergency-open over a real lockdown', inForce, next({ mode: 'emergency-open', drill: true }), ['drill']],
    ['nothing: the same expiry', { ...inForce, expiresAt: 50_000 }, next({ expiresAt: 50_000 }), []],
    ['nothing: no expiry over any', { ...inForce, expiresAt: 50_000 }, next({ expiresAt: null }), []],
    ['nothing: a real mode over a drill', { ...inForce, drill: true }, next({}), []],
    ['nothing: an emergency-open until lifted over a lockdown', inForce, next({ mode: 'emergency-open' }), []],
  ] as const)('%s', (_what, current, replacement, losses) => {
    expect(modeLosses(current, replacement)).toEqual(losses);
  });

  it('tells the same terms from a change of mode, expiry or drill flag, whoever sets them', () => {
    expect(sameTerms(inForce, next({}))).toBe(true);
    expect(sameTerms(inForce, next({ mode: 'emergency-open' }))).toBe(false);
    expect(sameTerms(inForce, next({ expiresAt: 5_000 }))).toBe(false);
    expect(sameTerms({ ...inForce, drill: true }, next({}))).toBe(false);
  });
});
