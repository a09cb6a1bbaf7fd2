import { commandTarget } from './commands.js';
import { httpTarget } from './http.js';
import { laneTarget } from './lane.js';
import { framingTarget, modbusTarget } from './line.js';
import { healthPassTarget, visitorPassTarget } from './passes.js';
import type { FuzzTarget } from './target.js';

/**
 * The parsers and entry points a hostile input reaches, with each one's share
 * of the run's inputs. The shares follow cost: a parser call takes
 * microseconds, a command a SQLite transaction, an HTTP request a whole
 * fastify round trip.
 */
export const INPUT_TARGETS: ReadonlyArray<{ target: FuzzTarget; share: number }> = [
  { target: healthPassTarget, share: 0.2 },
  { target: visitorPassTarget, share: 0.2 },
  { target: framingTarget, share: 0.15 },
  { target: modbusTarget, share: 0.2 },
  { target: commandTarget, share: 0.15 },
  { target: httpTarget, share: 0.1 },
];

/** Scripts of up to 40 lane events each, run beside the inputs: the person-level invariant on every release. */
export const LANE_TARGET = laneTarget;

/** Splits `total` inputs by share; the last target takes the rounding, so the counts add up to `total`. */
export function allocate(total: number): Array<{ target: FuzzTarget; runs: number }> {
  let left = total;
  return INPUT_TARGETS.map(({ target, share }, index) => {
    const runs = index === INPUT_TARGETS.length - 1 ? left : Math.round(total * share);
    left -= runs;
    return { target, runs };
  });
}
