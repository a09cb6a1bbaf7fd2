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
