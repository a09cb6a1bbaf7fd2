import { describe, expect, it } from 'vitest';
import { buildRoster, lookupCard, type RosterCard } from '../../../src/core/roster.js';

const resident: RosterCard = { uid: 'a1b2c3d4', subject: 'resident-1', role: 'resident', household: '1-1-101' };
const staff: RosterCard = { uid: ' 00FF00FF ', subject: 'staff-1', role: 'staff' };
const roster = buildRoster([resident, staff]);

describe('roster lookup', () => {
  it.each([
    ['stored case', 'a1b2c3d4', resident],
    ['upper case', 'A1B2C3D4', resident],
    ['mixed case with white space', ' A1b2C3d4\t', resident],
    ['a UID stored with white space, looked up without', '00ff00ff', staff],
    ['unknown UID', 'A1B2C3D5', undefined],
    ['a prefix of a known UID', 'A1B2C3', undefined],
  ])('%s', (_name, uid, expected) => {
    expect(lookupCard(roster, uid)).toBe(expected);
  });

  it('keys the roster by the normalised UID, and a later card with the same UID wins', () => {
    const replaced: RosterCard = { ...resident, uid: 'A1B2C3D4', subject: 'resident-2' };
    const rebuilt = buildRoster([resident, replaced]);
    expect([...rebuilt.keys()]).toEqual(['A1B2C3D4']);
    expect(lookupCard(rebuilt, 'a1b2c3d4')?.subject).toBe('resident-2');
  });

  it('an empty roster knows no card', () => {
    expect(lookupCard(buildRoster([]), 'A1B2C3D4')).toBeUndefined();
  });
});
