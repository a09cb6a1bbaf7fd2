import type { Mode, ScopedMode } from '../core/mode.js';
import type { Db } from './database.js';

/** The `modes` table: one row per scope, so a lockdown survives a restart (src/commands/mode-controller.ts). */
export class ModeStore {
  private readonly upsertStmt;
  private readonly allStmt;

  constructor(db: Db) {
    this.upsertStmt = db.prepare(`
      INSERT INTO modes (scope, mode, reason, by, since, expires_at, drill, command_id)
      VALUES (@scope, @mode, @reason, @by, @since, @expiresAt, @drill, @commandId)
      ON CONFLICT (scope) DO UPDATE SET mode = excluded.mode, reason = excluded.reason, by = excluded.by,
        since = excluded.since, expires_at = excluded.expires_at, drill = excluded.drill, command_id = excluded.command_id`);
    this.allStmt = db.prepare('SELECT scope, mode, reason, by, since, expires_at, drill FROM modes');
  }

  /** Call inside the command's transaction. */
  save(scope: string, state: ScopedMode, commandId: string): void {
    this.upsertStmt.run({ scope, mode: state.mode, reason: state.reason, by: state.by, since: state.since, expiresAt: state.expiresAt, drill: state.drill ? 1 : 0, commandId });
  }

  all(): Array<{ scope: string } & ScopedMode> {
    const rows = this.allStmt.all() as Array<{ scope: string; mode: Mode; reason: string; by: string; since: number; expires_at: number | null; drill: number }>;
    return rows.map((row) => ({ scope: row.scope, mode: row.mode, reason: row.reason, by: row.by, since: row.since, expiresAt: row.expires_at, drill: row.drill === 1 }));
  }
}
