import type { BrokerRole } from './config-schema.js';

/**
 * One connection budget for the whole broker, counted per live socket rather
 * than per registered aedes client: aedes registers a client only after its
 * password check, so 200 logins checked in parallel all saw a free slot.
 *
 * - At accept: at most `maxPendingPerAddress` sockets per address that have
 *   not logged in yet, and at most `maxConnections + maxPending` sockets in
 *   all; anything past that is closed before a byte is read.
 * - At login, in tiers: every role but the gateway, the manager and the
 *   district stops at `maxConnections - 1 - reservedPrivileged`; the manager
 *   and the district at `maxConnections - 1`; the gateway at `maxConnections`.
 *   So a flood of observers leaves the gateway its own session and the estate
 *   managers room to log in and act.
 *
 * A slot is taken when the login succeeds and given back when the socket closes.
 */
export interface SlotLimits {
  maxConnections: number;
  reservedPrivileged: number;
  maxPending: number;
  maxPendingPerAddress: number;
}

const PRIVILEGED: ReadonlySet<BrokerRole> = new Set(['manager', 'district']);

export function slotLimits(maxConnections: number): SlotLimits {
  return { maxConnections, reservedPrivileged: Math.min(4, Math.floor(maxConnections / 8)), maxPending: 64, maxPendingPerAddress: 8 };
}

export class BrokerSlots {
  /** Every live socket: its address, and its role once logged in. */
  private readonly sockets = new Map<object, { address: string; role?: BrokerRole }>();
  private sessions = 0;

  constructor(readonly limits: SlotLimits) {}

  /** At accept: whether the socket may stay. Registers it when it may. */
  accept(socket: object, address: string): boolean {
    const { maxConnections, maxPending, maxPendingPerAddress } = this.limits;
    if (this.sockets.size >= maxConnections + maxPending) return false;
    let pendingHere = 0;
    for (const entry of this.sockets.values()) if (entry.address === address && entry.role === undefined) pendingHere += 1;
    if (pendingHere >= maxPendingPerAddress || this.sockets.size - this.sessions >= maxPending) return false;
    this.sockets.set(socket, { address });
    return true;
  }

  /** At login: whether `role` may take a session slot now. Takes it when it may. */
  admit(socket: object, role: BrokerRole): boolean {
    const entry = this.sockets.get(socket);
    if (!entry) return false;
    if (entry.role !== undefined) return true;
    if (this.sessions >= this.capFor(role)) return false;
    entry.role = role;
    this.sessions += 1;
    return true;
  }

  /** When the socket closes, whatever happened to it. */
  release(socket: object): void {
    const entry = this.sockets.get(socket);
    if (!entry) return;
    if (entry.role !== undefined) this.sessions -= 1;
    this.sockets.delete(socket);
  }

  get sessionCount(): number {
    return this.sessions;
  }

  private capFor(role: BrokerRole): number {
    const { maxConnections, reservedPrivileged } = this.limits;
    if (role === 'gateway') return maxConnections;
    if (PRIVILEGED.has(role)) return Math.max(1, maxConnections - 1);
    return Math.max(1, maxConnections - 1 - reservedPrivileged);
  }
}
