import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { ErrorCode } from '../errors.js';
import type { EstateState } from '../estate/estate-state.js';
import type { LaneRunner } from '../lane/lane-runner.js';
import type { CommandRecords } from '../store/command-records.js';
import type { Db } from '../store/database.js';
import type { ActorRole } from './command-roles.js';
import type { CommandBodies, CommandName } from '../contract/command-schemas.js';
import type { ModeController } from './mode-controller.js';

/** What the appliers may touch. */
export interface ApplyDeps {
  db: Db;
  /** The rows the appliers read and write (lists, policies, drills, passes). */
  records: CommandRecords;
  estate: EstateState;
  modes: ModeController;
  lanes: ReadonlyMap<string, LaneRunner>;
  /** Keyed hash of a subject id (the estate key), as the passages table stores it. */
  hashSubject: (kind: 'health-pass' | 'card', id: string) => string;
  clock: Clock;
  log: Logger;
}

export interface ApplyContext {
  commandId: string;
  at: number;
  role: ActorRole;
  principal: string;
}

/**
 * An applier checks what the schema cannot (known gates, a free lane), then
 * hands back the SQLite writes, run in the command's transaction with its
 * audit row, and the in-memory effect, run only after that commit.
 * `warnings` go into the reply (and so the audit row) of an accepted command.
 */
export type Applied =
  | { ok: true; data?: unknown; warnings?: string[]; write?: () => void; effect?: () => void }
  | { ok: false; code: ErrorCode; message: string; details?: string[] };

export type Applier<N extends CommandName> = (body: CommandBodies[N], deps: ApplyDeps, ctx: ApplyContext) => Applied;

export type Appliers = { [N in CommandName]: Applier<N> };

export function notApplicable(message: string, details?: string[]): Applied {
  return { ok: false, code: 'GW_COMMAND_NOT_APPLICABLE', message, ...(details ? { details } : {}) };
}

/** An ISO time from a validated body, as Unix ms. */
export function millis(iso: string): number {
  return Date.parse(iso);
}
