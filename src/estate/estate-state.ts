import type { Clock } from '../core/clock.js';
import { DEFAULT_RULES, NO_RISK_AREAS, NO_STATUS, type EstateRules } from '../core/estate-facts.js';
import type { LaneWorld } from '../core/lane-types.js';
import type { Mode, ScopedMode } from '../core/mode.js';
import { readCredential } from '../core/read-credential.js';
import { ReplayWindow } from '../core/replay-window.js';
import type { Roster } from '../core/roster.js';
import { EMPTY_REGISTRY } from '../core/registry.js';
import { isTrustStale, type TrustList } from '../core/trust-list.js';
import type { EstateRegistry } from './estate-registry.js';

export type { ScopedMode } from '../core/mode.js';

export const ESTATE_SCOPE = 'estate';

/** Life safety first, then the stricter mode: emergency-open > lockdown > normal. */
const MODE_RANK: Record<Mode, number> = { normal: 0, lockdown: 1, 'emergency-open': 2 };

/**
 * The facts every lane shares: mode, trust list, roster and the replay window.
 * Lanes read them through `world()` on each event, so a lockdown or a new
 * trust list applies to the very next scan on every lane.
 */
export class EstateState {
  private readonly modes = new Map<string, ScopedMode>();
  readonly replay: ReplayWindow;

  constructor(
    public trust: TrustList,
    public roster: Roster,
    replayWindowMs: number,
    private readonly clock: Clock,
    /** Lists, passes, vehicles and drills for the estate rules; absent, only code and temperature are judged. */
    readonly registry?: EstateRegistry,
  ) {
    this.replay = new ReplayWindow(replayWindowMs);
  }

  /** The estate-wide mode (what `…/status` reports). */
  get mode(): Mode {
    return this.modeFor(undefined);
  }

  setMode(scope: string, state: ScopedMode): void {
    if (state.mode === 'normal') this.modes.delete(scope);
    else this.modes.set(scope, state);
  }

  /** Scopes with a mode other than normal that has not expired. */
  activeModes(): Map<string, ScopedMode> {
    const now = this.clock.now();
    return new Map([...this.modes].filter(([, state]) => state.expiresAt === null || state.expiresAt > now));
  }

  /** The mode a lane of `gate` follows: the strictest of the estate's and the gate's own. */
  modeFor(gate: string | undefined): Mode {
    return this.coveringModes(gate).reduce<Mode>((worst, { mode }) => (MODE_RANK[mode] > MODE_RANK[worst] ? mode : worst), 'normal');
  }

  /**
   * A drill runs for a lane of `gate`: a `drill` command, or modes all set as part of an exercise. A drill mode on
   * the gate does not make the estate's real lockdown a drill there, nor the other way round: a guard's drill
   * lockdown on one gate tagged the breaches of the estate's real lockdown there as drill passages.
   */
  drillFor(gate: string | undefined): boolean {
    const covering = this.coveringModes(gate);
    const modeDrill = covering.length > 0 && covering.every((state) => state.drill);
    return modeDrill || (this.registry?.drillRunning(this.clock.now()) ?? false);
  }

  /**
   * A drill never relaxes a real lockdown (found by the outside test: a manager's drill without enforcement let
   * residents out of a real lockdown with no exit pass). Only a lockdown set as part of the exercise may go
   * unenforced (estate plan, rule 8 beside rule 4).
   */
  private rulesFor(gate: string | undefined): EstateRules {
    const rules = this.registry?.rules(this.drillFor(gate)) ?? DEFAULT_RULES;
    return this.realLockdownFor(gate) ? { ...rules, drill: { ...rules.drill, enforce: true } } : rules;
  }

  /** A lockdown set for real (not as part of an exercise) holds for a lane of `gate`. */
  private realLockdownFor(gate: string | undefined): boolean {
    return this.coveringModes(gate).some((state) => state.mode === 'lockdown' && !state.drill);
  }

  /** The active modes a lane of `gate` follows: the estate's and the gate's own. */
  private coveringModes(gate: string | undefined): ScopedMode[] {
    const active = this.activeModes();
    return [active.get(ESTATE_SCOPE), gate === undefined ? undefined : active.get(gate)].filter((state) => state !== undefined);
  }

  /** A person's replay key names them by their keyed hash: the window is kept in the database (docs/design.md, "Storage"). */
  replayKey(key: string): string {
    const person = /^person:(.*):(in|out)$/.exec(key);
    if (!person || !this.registry) return key;
    return `person:${this.registry.hashSubject({ kind: 'health-pass', id: person[1] as string })}:${person[2] as string}`;
  }

  world(gate?: string): LaneWorld {
    const now = this.clock.now();
    const { trust, roster, replay, registry } = this;
    return {
      mode: this.modeFor(gate),
      trustStale: isTrustStale(trust, now),
      readCredential: (code, laneKind) => readCredential(code, { trust, roster, registry: registry ?? EMPTY_REGISTRY, now }, laneKind),
      isReplayed: (key) => replay.isReplayed(this.replayKey(key), now),
      status: (subject) => registry?.status(subject, now) ?? NO_STATUS,
      unconfirmedFever: (subject) => registry?.unconfirmedFever(subject, now),
      risk: registry?.risk(now) ?? NO_RISK_AREAS,
      rules: this.rulesFor(gate),
    };
  }
}
