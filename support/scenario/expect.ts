/** Comparisons for scenario expectations, each failure worded for the step report. */

/** The same items, counted, in any order. */
export function sameMembers(expected: readonly string[], actual: readonly string[]): boolean {
  return JSON.stringify([...expected].sort()) === JSON.stringify([...actual].sort());
}

/** Every key `expected` names has the same value in `actual` (objects recursively, arrays item by item). */
export function describeMismatch(path: string, expected: unknown, actual: unknown): string[] {
  if (typeof expected === 'object' && expected !== null && !Array.isArray(expected)) {
    if (typeof actual !== 'object' || actual === null) return [`${path}: expected an object, got ${JSON.stringify(actual)}`];
    return Object.entries(expected).flatMap(([key, value]) => describeMismatch(`${path}.${key}`, value, (actual as Record<string, unknown>)[key]));
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return [`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
    return expected.flatMap((value, i) => describeMismatch(`${path}[${i}]`, value, actual[i]));
  }
  return expected === actual ? [] : [`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}
