import { describe, expect, it } from 'vitest';
import { opensWithoutGrant } from '../../../support/chaos/unplug.js';

describe('chaos witness: barrier OPENs against recorded grants', () => {
  it('accounts each OPEN with one grant recorded before it', () => {
    expect(opensWithoutGrant([110, 220, 330], [100, 200, 300])).toBe(0);
    expect(opensWithoutGrant([110], [100, 200])).toBe(0);
  });

  it('counts an OPEN that came before any grant, or one more OPEN than grants', () => {
    expect(opensWithoutGrant([50], [100])).toBe(1);
    expect(opensWithoutGrant([110, 120], [100])).toBe(1);
    expect(opensWithoutGrant([110], [])).toBe(1);
  });
});
