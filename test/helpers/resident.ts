import type { VirtualScanner } from '../../src/drivers/virtual/virtual-scanner.js';

/** The resident on the harness roster (gateway-harness.ts): their card, and the health-code subject it names. */
export const RESIDENT = { uid: '04AABBCCDD', subject: 'resident-1' } as const;

/**
 * A resident shows their card, then their own health pass: one person, screened
 * on the pass. A card alone only says who it is, and waits policy.pairingWindowMs
 * for the code before the guard is asked (HEALTH_CODE_REQUIRED).
 */
export function showCardThenPass(scanner: Pick<VirtualScanner, 'scan'>, pass: string, uid: string = RESIDENT.uid): void {
  scanner.scan(uid);
  scanner.scan(pass);
}
