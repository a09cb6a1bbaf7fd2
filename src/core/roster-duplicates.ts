import { normalisePlate } from './registry.js';

/**
 * A card UID or a plate listed twice gives one person two roles or two
 * households, and the lane would take whichever came last: refused with both
 * places named. UIDs are compared without case and plates as the lanes
 * compare them (registry.ts), so "闽D-12345" and "闽D12345" are one plate.
 */
export function rosterDuplicates(
  roster: { cards: ReadonlyArray<{ uid: string }>; vehicles?: ReadonlyArray<{ plate: string }> | undefined },
  at: string,
): string[] {
  return [
    ...duplicates(roster.cards.map((card) => card.uid.toUpperCase()), `${at}.cards`, 'uid', 'card UID'),
    ...duplicates((roster.vehicles ?? []).map((vehicle) => normalisePlate(vehicle.plate)), `${at}.vehicles`, 'plate', 'plate'),
  ];
}

function duplicates(keys: readonly string[], at: string, field: string, what: string): string[] {
  const first = new Map<string, number>();
  const errors: string[] = [];
  keys.forEach((key, i) => {
    const seen = first.get(key);
    if (seen === undefined) first.set(key, i);
    else errors.push(`${at}[${i}].${field}: expected a unique ${what}, "${key}" is also ${at}[${seen}]`);
  });
  return errors;
}
