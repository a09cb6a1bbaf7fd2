import type { Db } from './database.js';

/**
 * Since when a broker link has been down, kept across restarts (migration 5,
 * `link_state`): a restart in the middle of an outage must not restart its
 * clock (issue 15: a 15 s outage with a restart inside was reported as 7 s).
 */
export class LinkState {
  private readonly getStmt;
  private readonly setStmt;
  private readonly clearStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare('SELECT down_since FROM link_state WHERE link = ?');
    this.setStmt = db.prepare('INSERT INTO link_state (link, down_since) VALUES (?, ?) ON CONFLICT (link) DO NOTHING');
    this.clearStmt = db.prepare('DELETE FROM link_state WHERE link = ?');
  }

  downSince(link: string): number | undefined {
    return (this.getStmt.get(link) as { down_since: number } | undefined)?.down_since;
  }

  /** Records the start of an outage; an outage already recorded keeps its start. */
  markDown(link: string, since: number): void {
    this.setStmt.run(link, since);
  }

  markUp(link: string): void {
    this.clearStmt.run(link);
  }
}
