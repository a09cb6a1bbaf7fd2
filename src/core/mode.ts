/** Operating mode of the estate or of a gate. */
export type Mode = 'normal' | 'lockdown' | 'emergency-open';
