import type { ListOp } from '../contract/command-schemas.js';

type Entry = Record<string, unknown>;

export interface ListEdit {
  /** The whole list after the change, as it is stored. */
  entries: Entry[];
  /** Positions in `given` of `remove` entries that named nothing on the list. */
  missing: number[];
}

/**
 * One change to a list, entry by entry (`add`, `remove`) or whole (`replace`).
 * Entries are matched by their key field (a hashed subject, a region code, a
 * key id): `add` replaces the entry with the same key, so an edit never
 * leaves two entries for one person; the list keeps its order otherwise.
 */
export function editList(op: ListOp, key: string, current: readonly Entry[], given: readonly Entry[]): ListEdit {
  if (op === 'replace') return { entries: [...given], missing: [] };
  const byKey = new Map(current.map((entry) => [entry[key], entry]));
  if (op === 'add') {
    for (const entry of given) byKey.set(entry[key], entry);
    return { entries: [...byKey.values()], missing: [] };
  }
  const missing = given.flatMap((entry, i) => (byKey.delete(entry[key]) ? [] : [i]));
  return { entries: [...byKey.values()], missing };
}
