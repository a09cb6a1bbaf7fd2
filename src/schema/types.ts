import { Type, type TUnsafe } from '@sinclair/typebox';

/** A string enum that ajv reports as `expected one of …` (TypeBox unions report less clearly). */
export function StringEnum<const T extends readonly string[]>(values: T, options: { default?: T[number]; description?: string } = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** Identifiers used in topics and file names: lower-case, digits and dashes. */
export const Id = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,47}$', description: 'lower-case letters, digits and dashes' });
