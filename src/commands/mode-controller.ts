import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Mode } from '../core/mode.js';
import type { EventBus } from '../event-bus.js';
import type { EstateState, ScopedMode } from '../estate/estate-state.js';
import type { Db } from '../store/database.js';
import { ModeStore } from '../store/mode-store.js';
import type { Journal } from '../store/journal.js';
import { Code } from '../errors.js';

/** What a mode asks of a barrier (a driver's Barrier is one): held open in emergency-open, locked again after. */
export interface ModeBarrier {
  readonly id: string;
  holdOpen(): Promise<void>;
  lock(): Promise<void>;
}

export interface PlacedBarrier {
  gate: string;
  barrier: ModeBarrier;
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
  private readonly store: ModeStore;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** The mode each barrier was last driven for, to move only barriers whose mode changed. */
  private readonly applied = new Map<ModeBarrier, Mode>();

  constructor(private readonly deps: ModeControllerDeps) {
    this.log = deps.log.child({ module: 'mode' });
    this.store = new ModeStore(deps.db);
  }

  /** Loads the persisted modes into the EstateState; call before the lanes start. */
  restore(): void {
    const rows = this.store.all();
    for (const { scope, ...state } of rows) {
      this.deps.estate.setMode(scope, state);
      this.scheduleExpiry(state.expiresAt);
    }
    if (rows.length > 0) this.log.warn({ modes: Object.fromEntries(this.deps.estate.activeModes()) }, 'mode restored from the database');
  }

  /** Persists a mode for the scopes; call inside the command's transaction. */
  write(scopes: readonly string[], state: ScopedMode, commandId: string): void {
    for (const scope of scopes) this.store.save(scope, state, commandId);
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
      move.catch((error: Error) => this.log.error({ barrier: barrier.id, mode, err: error.message, code: Code.GW_BARRIER_NO_ACK }, 'barrier did not follow the mode'));
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
