/** Operating modes of the estate or of a gate: the one list the schemas, the contract and the page use. */
export const MODES = ['normal', 'lockdown', 'emergency-open'] as const;

/** Operating mode of the estate or of a gate. */
export type Mode = (typeof MODES)[number];

/** A mode set for one scope (`estate` or a gate id) by a command, as the lanes read it and the `modes` table keeps it. */
export interface ScopedMode {
  mode: Mode;
  reason: string;
  by: string;
  since: number;
  /** Unix ms; past it the scope falls back to normal. */
  expiresAt: number | null;
  drill: boolean;
}

/** What a mode set on a scope would give up of the one in force there: an earlier end, or a drill in place of a real mode. */
export type ModeLoss = 'expiresAt' | 'drill';

/** The ways `next` is weaker than `current` (none: it holds as long and as really, whatever its mode). */
export function modeLosses(current: ScopedMode, next: ScopedMode): ModeLoss[] {
  const endsSooner = next.expiresAt !== null && (current.expiresAt === null || next.expiresAt < current.expiresAt);
  return [...(endsSooner ? ['expiresAt' as const] : []), ...(next.drill && !current.drill ? ['drill' as const] : [])];
}

/** `next` changes nothing of `current` but who set it, why and since when. */
export function sameTerms(current: ScopedMode, next: ScopedMode): boolean {
  return current.mode === next.mode && current.expiresAt === next.expiresAt && current.drill === next.drill;
}
