import type { BrokerRole } from '../core/roles.js';

/**
 * One connection budget for the whole broker, counted per live socket rather
 * than per registered aedes client: aedes registers a client only after its
 * password check, so 200 logins checked in parallel all saw a free slot.
 *
 * - At accept: at most `maxPendingPerAddress` sockets per address that have
 *   not logged in yet (past that the newcomer is closed before a byte is
 *   read). When the `maxPending` sockets not logged in yet are all taken, the
 *   oldest of them goes, one that has not sent a byte first, so idle sockets
 *   from many hosts cannot hold the pool and a client that sends its CONNECT
 *   at once always gets to log in (issue 12, second outside test).
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

/** What `accept` decided: the newcomer stays or not, and the pending socket it pushed out, to be closed by the caller. */
export type AcceptVerdict = { ok: true; evicted?: object } | { ok: false };

export class BrokerSlots {
  /** Every live socket, oldest first: its address, whether it sent a byte, and its role once logged in. */
  private readonly sockets = new Map<object, { address: string; spoke?: boolean; role?: BrokerRole }>();
  private sessions = 0;

  constructor(readonly limits: SlotLimits) {}

  /** At accept: whether the socket may stay, and which pending socket it evicted. Registers it when it may. */
  accept(socket: object, address: string): AcceptVerdict {
    const { maxPending, maxPendingPerAddress } = this.limits;
    let pendingHere = 0;
    for (const entry of this.sockets.values()) if (entry.address === address && entry.role === undefined) pendingHere += 1;
    if (pendingHere >= maxPendingPerAddress) return { ok: false };
    const evicted = this.sockets.size - this.sessions >= maxPending ? this.oldestPending() : undefined;
    if (this.sockets.size - this.sessions >= maxPending && evicted === undefined) return { ok: false };
    if (evicted !== undefined) this.sockets.delete(evicted);
    this.sockets.set(socket, { address });
    return evicted === undefined ? { ok: true } : { ok: true, evicted };
  }

  /** The socket sent its first bytes (its CONNECT): it is evicted only after every silent one. */
  spoke(socket: object): void {
    const entry = this.sockets.get(socket);
    if (entry) entry.spoke = true;
  }

  /** A TLS socket takes over the slot its TCP socket held from the accept, keeping its age. */
  transfer(from: object, to: object): void {
    if (!this.sockets.has(from)) return;
    const entries = [...this.sockets].map(([key, value]): [object, typeof value] => [key === from ? to : key, value]);
    this.sockets.clear();
    for (const [key, value] of entries) this.sockets.set(key, value);
  }

  /** The oldest silent socket not logged in yet, else the oldest one that spoke; never the in-process gateway stream. */
  private oldestPending(): object | undefined {
    let spoke: object | undefined;
    for (const [socket, entry] of this.sockets) {
      if (entry.role !== undefined || entry.address === 'local') continue;
      if (!entry.spoke) return socket;
      spoke ??= socket;
    }
    return spoke;
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
