/**
 * Reads a command payload off the wire before anything else touches it:
 * bounded in size and in nesting depth, strictly UTF-8, a JSON object.
 * The depth is measured by a scanner over the bytes, before `JSON.parse`, so
 * a payload nested 10,000 levels deep never reaches a recursive walker (the
 * schema validator, the canonical form of a signature, the audit row) where
 * it would overflow the stack and surface as a storage fault.
 */

export interface PayloadLimits {
  maxBytes: number;
  maxDepth: number;
}

export type ParsedPayload = { ok: true; body: Record<string, unknown> } | { ok: false; message: string; details: string[] };

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

// fatal: an invalid sequence is an error, not U+FFFD: a lockdown reason must not be stored with replacement characters.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The deepest nesting of objects and arrays in JSON text, stopping as soon as it passes `limit`. */
export function jsonDepth(bytes: Uint8Array, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      depth += 1;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) depth -= 1;
  }
  return deepest;
}

export function parseCommandPayload(payload: Uint8Array, limits: PayloadLimits): ParsedPayload {
  if (payload.length > limits.maxBytes) {
    return { ok: false, message: `payload is ${payload.length} bytes, more than ${limits.maxBytes}`, details: [`(root): at most ${limits.maxBytes} bytes (commands.maxPayloadBytes)`] };
  }
  if (jsonDepth(payload, limits.maxDepth) > limits.maxDepth) {
    return { ok: false, message: `payload is nested deeper than ${limits.maxDepth} levels`, details: [`(root): at most ${limits.maxDepth} levels of objects and arrays`] };
  }
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return { ok: false, message: 'payload is not valid UTF-8', details: ['(root): expected UTF-8 text (RFC 8259 §8.1)'] };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: 'payload is not a JSON object', details: ['(root): expected a JSON object'] };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, message: 'payload is not a JSON object', details: ['(root): expected a JSON object'] };
  return { ok: true, body: value as Record<string, unknown> };
}

/** The depth of an already parsed value (an HTTP body parsed by fastify), bounded the same way without recursion. */
export function valueDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  // Each value is visited once; the walk stops as soon as the limit is passed.
  while (stack.length > 0) {
    const { value: next, depth } = stack.pop() as { value: unknown; depth: number };
    if (next === null || typeof next !== 'object') continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > limit) return deepest;
    for (const child of Object.values(next as object)) stack.push({ value: child, depth: level });
  }
  return deepest;
}
