import type { Cursor } from '../../store/keyset.js';

/** The API's form of a keyset cursor (src/store/keyset.ts): the last row's `at` and `id`. */
export const CURSOR_PATTERN = '^\\d{1,15}_[A-Za-z0-9-]{1,64}$';

function encodeCursor(row: Cursor): string {
  return `${row.at}_${row.id}`;
}

export function decodeCursor(cursor: string | undefined): Cursor | undefined {
  if (cursor === undefined) return undefined;
  const split = cursor.indexOf('_');
  return { at: Number(cursor.slice(0, split)), id: cursor.slice(split + 1) };
}

/** Fetches one row more than asked to know whether another page exists. */
export function page<T extends Cursor, R>(rows: T[], limit: number, map: (row: T) => R): { items: R[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map(map), nextCursor: more && last ? encodeCursor(last) : null };
}
