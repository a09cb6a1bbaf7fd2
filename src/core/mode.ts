/** Operating modes of the estate or of a gate: the one list the schemas, the contract and the page use. */
export const MODES = ['normal', 'lockdown', 'emergency-open'] as const;

/** Operating mode of the estate or of a gate. */
export type Mode = (typeof MODES)[number];
