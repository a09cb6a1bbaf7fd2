
/**
 * Keyset pagination over (at, id), newest first: stable while new rows
 * arrive, unlike an offset. The cursor is the last row's `at` and `id`.
 */
export interface Cursor {
  at: number;
  id: string;
}

/** SQL condition for rows after the cursor in (at DESC, id DESC) order; bind `cursorParams`. */
export const AFTER_CURSOR = '(at < @cursorAt OR (at = @cursorAt AND id < @cursorId))';

export function cursorParams(after: Cursor | undefined): Record<string, unknown> {
  return after ? { cursorAt: after.at, cursorId: after.id } : {};
}

/** `WHERE a AND b` of the conditions that apply, or nothing. */
export function whereClause(conditions: ReadonlyArray<string | false>): string {
  const kept = conditions.filter((condition): condition is string => condition !== false);
  return kept.length > 0 ? `WHERE ${kept.join(' AND ')}` : '';
}
