/**
 * Whether JSON text names a key twice in one object. `JSON.parse` keeps the
 * last one silently, and another reader may keep the first: a signed pass
 * saying `"col":"red"` and then `"col":"green"` would be read green here and
 * red elsewhere (found from outside). Call on text `JSON.parse` accepted: it
 * only follows strings and braces.
 */
export function hasDuplicateKeys(json: string): boolean {
  // One set of keys per open object; null for an open array.
  const open: Array<Set<string> | null> = [];
  let expectKey = false;
  for (let i = 0; i < json.length; i += 1) {
    const char = json[i];
    if (char === '"') {
      const end = stringEnd(json, i);
      const keys = open.at(-1);
      if (expectKey && keys) {
        const key = JSON.parse(json.slice(i, end + 1)) as string;
        if (keys.has(key)) return true;
        keys.add(key);
      }
      expectKey = false;
      i = end;
    } else if (char === '{') {
      open.push(new Set());
      expectKey = true;
    } else if (char === '[') {
      open.push(null);
    } else if (char === '}' || char === ']') {
      open.pop();
    } else if (char === ',') {
      expectKey = open.at(-1) !== null && open.length > 0;
    }
  }
  return false;
}

/** The index of the quote that closes the string opening at `start`. */
function stringEnd(json: string, start: number): number {
  for (let i = start + 1; i < json.length; i += 1) {
    if (json[i] === '\\') i += 1;
    else if (json[i] === '"') return i;
  }
  return json.length;
}
