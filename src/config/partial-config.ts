import type { Config } from './schema.js';

type Entry = Record<string, unknown>;

/**
 * Marks what the partial view made up (a missing id or role): a cross-check
 * message that names it is about a value the schema has already refused, and
 * is dropped.
 */
export const PLACEHOLDER = '\u0000';

/**
 * A config that failed its schema, shaped just enough for crossCheck to run
 * on it, so one check reports every mistake (issue 16: four mistakes were
 * reported as two, then two more). Indices stay as in the file, so the
 * messages name the right entries. An entry with a schema error other than
 * an unknown key keeps only its id and role (as a virtual device; a lane
 * keeps only its well-formed device references), so no check reads a value
 * of the wrong type.
 */
export function partialConfig(value: unknown, schemaErrors: readonly string[]): Config | undefined {
  if (!isEntry(value)) return undefined;
  const broken = (at: string) => schemaErrors.some((error) => !error.endsWith(': unknown key') && (error.startsWith(`${at}.`) || error.startsWith(`${at}:`)));
  const devices = list(value.devices).map((device, i) => {
    if (isEntry(device) && !broken(`devices[${i}]`)) return device;
    return { id: text(device, 'id') ?? `${PLACEHOLDER}device-${i}`, role: text(device, 'role') ?? `${PLACEHOLDER}role`, driver: 'virtual' };
  });
  const gates = list(value.gates).map((gate, g) => ({
    ...(isEntry(gate) ? gate : {}),
    id: text(gate, 'id') ?? `${PLACEHOLDER}gate-${g}`,
    lanes: list(isEntry(gate) ? gate.lanes : undefined).map((lane, l) => partialLane(lane, l)),
  }));
  const policy = isEntry(value.policy) && typeof value.policy.plausibleMinC === 'number' && typeof value.policy.feverThresholdC === 'number' ? value.policy : { plausibleMinC: 0, feverThresholdC: 1 };
  return { ...value, devices, gates, policy } as unknown as Config;
}

function partialLane(lane: unknown, l: number): Entry {
  const references = isEntry(lane) && isEntry(lane.devices) ? lane.devices : {};
  const direction = text(lane, 'direction');
  return {
    ...(isEntry(lane) ? lane : {}),
    id: text(lane, 'id') ?? `${PLACEHOLDER}lane-${l}`,
    // An unknown direction asks for neither an exit scanner nor a thermometer: the schema has said what is wrong.
    direction: direction === 'in' || direction === 'both' ? direction : 'out',
    devices: Object.fromEntries(Object.entries(references).filter(([, ref]) => typeof ref === 'string')),
  };
}

function isEntry(value: unknown): value is Entry {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function text(value: unknown, key: string): string | undefined {
  return isEntry(value) && typeof value[key] === 'string' ? value[key] : undefined;
}
