import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Mode } from '../core/mode.js';
import type { Barrier } from '../drivers/device.js';
import type { EventBus } from '../event-bus.js';
import type { EstateState, ScopedMode } from '../estate/estate-state.js';
import type { Db } from '../store/database.js';
import type { Journal } from '../store/journal.js';

export interface PlacedBarrier {
  gate: string;
  barrier: Barrier;
}

export interface ModeControllerDeps {
  db: Db;
  estate: EstateState;
  barriers: readonly PlacedBarrier[];
  journal: Journal;
  clock: Clock;
  log: Logger;
  /** Told `mode-changed` after every change (a command, an expiry): the retained `…/mode`, the guard-room page. */
  events: EventBus;
}

/**
 * Owns the mode of each scope: persisted in SQLite, restored at start before
 * any broker is contacted (a lockdown survives a restart with the network
 * down), applied to the EstateState every lane reads, and carried out on the
 * barriers: emergency-open holds them open until the mode leaves it.
 */
export class ModeController {
  private readonly log: Logger;
  private readonly upsert;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** The mode each barrier was last driven for, to move only barriers whose mode changed. */
  private readonly applied = new Map<Barrier, Mode>();

  constructor(private readonly deps: ModeControllerDeps) {
    this.log = deps.log.child({ module: 'mode' });
    this.upsert = deps.db.prepare(`
      INSERT INTO modes (scope, mode, reason, by, since, expires_at, drill, command_id)
      VALUES (@scope, @mode, @reason, @by, @since, @expiresAt, @drill, @commandId)
      ON CONFLICT (scope) DO UPDATE SET mode = excluded.mode, reason = excluded.reason, by = excluded.by,
        since = excluded.since, expires_at = excluded.expires_at, drill = excluded.drill, command_id = excluded.command_id`);
  }

  /** Loads the persisted modes into the EstateState; call before the lanes start. */
  restore(): void {
    const rows = this.deps.db.prepare('SELECT scope, mode, reason, by, since, expires_at, drill FROM modes').all() as Array<{
      scope: string;
      mode: Mode;
      reason: string;
      by: string;
      since: number;
      expires_at: number | null;
      drill: number;
    }>;
    for (const row of rows) {
      this.deps.estate.setMode(row.scope, { mode: row.mode, reason: row.reason, by: row.by, since: row.since, expiresAt: row.expires_at, drill: row.drill === 1 });
      this.scheduleExpiry(row.expires_at);
    }
    if (rows.length > 0) this.log.warn({ modes: Object.fromEntries(this.deps.estate.activeModes()) }, 'mode restored from the database');
  }

  /** Persists a mode for the scopes; call inside the command's transaction. */
  write(scopes: readonly string[], state: ScopedMode, commandId: string): void {
    for (const scope of scopes) this.upsert.run({ scope, ...state, drill: state.drill ? 1 : 0, commandId });
    if (state.mode === 'emergency-open') {
      this.deps.journal.recordAlert({
        type: 'emergency-open',
        severity: 'critical',
        at: state.since,
        reasons: ['EMERGENCY_OPEN'],
        details: { scope: scopes.join(','), by: state.by, reason: state.reason, drill: state.drill },
      });
    }
  }

  /** Applies a mode in memory after it was persisted: every lane sees it on its next event. */
  apply(scopes: readonly string[], state: ScopedMode): void {
    for (const scope of scopes) this.deps.estate.setMode(scope, state);
    this.scheduleExpiry(state.expiresAt);
    this.log.warn({ scopes, mode: state.mode, by: state.by, reason: state.reason, drill: state.drill }, 'mode changed');
    this.refresh();
  }

  /** Drives the barriers to the current modes; call after start and after every change. */
  refresh(): void {
    for (const { gate, barrier } of this.deps.barriers) {
      const mode = this.deps.estate.modeFor(gate);
      const previous = this.applied.get(barrier) ?? 'normal';
      this.applied.set(barrier, mode);
      if ((mode === 'emergency-open') === (previous === 'emergency-open')) continue;
      const move = mode === 'emergency-open' ? barrier.holdOpen() : barrier.lock();
      move.catch((error: Error) => this.log.error({ barrier: barrier.id, mode, err: error.message, code: 'GW_BARRIER_NO_ACK' }, 'barrier did not follow the mode'));
    }
    this.deps.events.emit('mode-changed');
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private scheduleExpiry(expiresAt: number | null): void {
    if (expiresAt === null) return;
    // setTimeout overflows past 2^31 ms: re-check at most daily.
    const delay = Math.min(Math.max(0, expiresAt - this.deps.clock.now()), 86_400_000);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (expiresAt > this.deps.clock.now()) this.scheduleExpiry(expiresAt);
      else this.refresh();
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }
}
