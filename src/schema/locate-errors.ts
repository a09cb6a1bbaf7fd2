import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type YAMLError } from 'yaml';
import { suggestKey, type KeyPath } from './key-suggestions.js';

/** One validation error placed in its file. */
export interface LocatedError {
  /** 1-based, as editors count; undefined when the key path is not in the file (or the message has none). */
  line?: number;
  col?: number;
  message: string;
}

export interface LocateOptions {
  /** The schema the file was checked against, for "did you mean" on unknown keys. */
  schema: unknown;
  /** Name array entries by their `id` (`devices[3] (north-thermo)`), for the arrays listed. */
  namedArrays?: readonly string[];
}

/**
 * Places `key.path: message` errors (the form every check here writes, see
 * src/schema/validate.ts) in the YAML they came from: the line and column
 * of the deepest node of the key path that exists (the key itself for a
 * key that is there, its parent for one that is missing), entries of the
 * named arrays labelled with their id, and the nearest allowed key for an
 * unknown one. Sorted by position, so they read top to bottom like the file.
 */
export function locateErrors(document: Document, lines: LineCounter, errors: readonly string[], options: LocateOptions): LocatedError[] {
  const value: unknown = document.toJS();
  const located = errors.map((error): LocatedError => {
    const parsed = splitKeyPath(error);
    if (!parsed) return { message: error };
    let message = labelEntries(error, parsed.path, value, options.namedArrays ?? []);
    if (parsed.rest === 'unknown key') {
      const suggestion = suggestKey(options.schema, value, parsed.path);
      if (suggestion !== undefined) message += ` (did you mean "${suggestion}"?)`;
    }
    const offset = offsetOf(document.contents, parsed.path);
    return offset === undefined ? { message } : { ...lines.linePos(offset), message };
  });
  return located.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.col ?? 0) - (b.col ?? 0));
}

/** `12:5 devices[3] (north-thermo).baud: unknown key`, the form check-config and start print. */
export function formatLocated(error: LocatedError, source: string): string {
  return error.line === undefined ? error.message : `${source}:${error.line}:${error.col ?? 1}: ${error.message}`;
}

/** The whole message: where, what, and the lines around it with the caret (not cut after "line 76, column 9:"). */
export function formatYamlError(error: YAMLError, source: string): string {
  const [first = '', ...context] = error.message.split('\n');
  const what = first.replace(/ at line \d+, column \d+:$/, '');
  const at = error.linePos?.[0];
  const where = at ? `${source}:${at.line}:${at.col}: ` : '';
  return [`${where}${what}`, ...context.filter((line) => line.trim() !== '').map((line) => `    ${line}`)].join('\n');
}

/** `gates[0].lanes[1] (x).direction: expected …` → [gates, 0, lanes, 1, direction] and `expected …`. */
function splitKeyPath(error: string): { path: KeyPath; rest: string } | undefined {
  const path: Array<string | number> = [];
  const token = /^(?:\[(\d+)\](?: \([^)]*\))?|\.?([^.[\]:\s()]+))/;
  let rest = error;
  while (!rest.startsWith(': ')) {
    const match = token.exec(rest);
    if (!match || (path.length === 0 && match[0].startsWith('.'))) return undefined;
    path.push(match[1] !== undefined ? Number(match[1]) : (match[2] as string));
    rest = rest.slice(match[0].length);
  }
  return path.length === 0 ? undefined : { path, rest: rest.slice(2) };
}

/** `devices[3].port: …` → `devices[3] (north-thermo).port: …`; a label already there is kept. */
function labelEntries(error: string, path: KeyPath, value: unknown, namedArrays: readonly string[]): string {
  const [array, index] = path;
  if (typeof array !== 'string' || typeof index !== 'number' || !namedArrays.includes(array)) return error;
  const entry = (value as Record<string, unknown> | null)?.[array];
  const id = Array.isArray(entry) ? (entry[index] as Record<string, unknown> | null)?.id : undefined;
  if (typeof id !== 'string') return error;
  const prefix = `${array}[${index}]`;
  return error.startsWith(`${prefix} (`) ? error : `${prefix} (${id})${error.slice(prefix.length)}`;
}

/** Where the key path ends in the source text: the key of a map entry, the node of a list item. */
function offsetOf(root: Node | null, path: KeyPath): number | undefined {
  let node: unknown = root;
  let offset: number | undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}
