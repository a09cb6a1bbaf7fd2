import type { Clock } from '../core/clock.js';
import type { LaneWorld } from '../core/lane-types.js';
import type { Mode } from '../core/mode.js';
import { readCredential } from '../core/read-credential.js';
import { ReplayWindow } from '../core/replay-window.js';
import type { Roster } from '../core/roster.js';
import { isTrustStale, type TrustList } from '../core/trust-list.js';

/**
 * The facts every lane shares: mode, trust list, roster and the replay window.
 * Lanes read them through `world()` on each event, so a lockdown or a new
 * trust list applies to the very next scan on every lane.
 */
export class GateState {
  mode: Mode = 'normal';
  readonly replay: ReplayWindow;

  constructor(
    public trust: TrustList,
    public roster: Roster,
    replayWindowMs: number,
    private readonly clock: Clock,
  ) {
    this.replay = new ReplayWindow(replayWindowMs);
  }

  world(): LaneWorld {
    const now = this.clock.now();
    const { trust, roster, mode, replay } = this;
    return {
      mode,
      trustStale: isTrustStale(trust, now),
      readCredential: (code) => readCredential(code, { trust, roster, now }),
      isReplayed: (fingerprint) => replay.isReplayed(fingerprint, now),
    };
  }
}
