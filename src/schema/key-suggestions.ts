import { closest, distance } from 'fastest-levenshtein';

/** A JSON Schema as TypeBox builds it: only the keywords that say which keys an object takes. */
interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  allOf?: SchemaNode[];
  if?: SchemaNode;
  then?: SchemaNode;
  else?: SchemaNode;
  const?: unknown;
}

export type KeyPath = ReadonlyArray<string | number>;

/**
 * "did you mean …" for an unknown key: the allowed key nearest to the one
 * written, by Levenshtein distance, when it is near enough to be a typo
 * (at most a third of the word, and at least 1 and at most 3 edits), or
 * the same key in another case. Undefined when nothing is close.
 */
export function suggestKey(schema: unknown, value: unknown, path: KeyPath): string | undefined {
  const written = path.at(-1);
  if (typeof written !== 'string') return undefined;
  const allowed = allowedKeys(schema as SchemaNode, value, path.slice(0, -1)).filter((key) => key !== written);
  if (allowed.length === 0) return undefined;
  const sameCase = allowed.find((key) => key.toLowerCase() === written.toLowerCase());
  if (sameCase) return sameCase;
  const best = closest(written, allowed);
  const limit = Math.min(3, Math.max(1, Math.floor(written.length / 3)));
  return distance(written, best) <= limit ? best : undefined;
}

/** The keys the schema allows on the object at `path`, following the value to choose between branches. */
function allowedKeys(schema: SchemaNode, value: unknown, path: KeyPath): string[] {
  let nodes = branches(schema, value);
  let here = value;
  for (const segment of path) {
    here = child(here, segment);
    const next = nodes.flatMap((node) => {
      const sub = typeof segment === 'number' ? node.items : node.properties?.[segment];
      return sub ? branches(sub, here) : [];
    });
    nodes = next;
  }
  return [...new Set(nodes.flatMap((node) => Object.keys(node.properties ?? {})))];
}

/** The schemas that apply to a value: unions expanded, `if/then/else` decided on the value's `const` keys. */
function branches(node: SchemaNode, value: unknown): SchemaNode[] {
  const own = [node];
  for (const list of [node.anyOf, node.oneOf, node.allOf]) if (list) own.push(...list.flatMap((sub) => branches(sub, value)));
  if (node.if) {
    const chosen = matchesConst(node.if, value) ? node.then : node.else;
    if (chosen) own.push(...branches(chosen, value));
  }
  return own;
}

function matchesConst(condition: SchemaNode, value: unknown): boolean {
  return Object.entries(condition.properties ?? {}).every(([key, sub]) => sub.const === undefined || child(value, key) === sub.const);
}

function child(value: unknown, segment: string | number): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  return (value as Record<string | number, unknown>)[segment];
}
