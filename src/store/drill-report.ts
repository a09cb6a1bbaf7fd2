import type { Db } from './database.js';

/** What happened during a drill (estate plan, rule 8): decisions by verdict and reason, alerts by type. */
export interface DrillReport {
  drillId: string;
  scenario: string;
  from: string;
  to: string;
  passages: number;
  verdicts: Record<string, number>;
  reasons: Record<string, number>;
  alerts: Record<string, number>;
}

/** The drill report's counts, each statement prepared once. */
export class DrillReports {
  private readonly verdictsStmt;
  private readonly reasonsStmt;
  private readonly alertsStmt;

  constructor(db: Db) {
    this.verdictsStmt = db.prepare('SELECT verdict AS k, count(*) AS n FROM passages WHERE drill = 1 AND at >= ? AND at < ? GROUP BY verdict');
    this.reasonsStmt = db.prepare('SELECT r.value AS k, count(*) AS n FROM passages p, json_each(p.reasons) r WHERE p.drill = 1 AND p.at >= ? AND p.at < ? GROUP BY r.value');
    this.alertsStmt = db.prepare("SELECT type AS k, count(*) AS n FROM alerts WHERE at >= ? AND at < ? AND json_extract(details, '$.drill') = 1 GROUP BY type");
  }

  /** Counts the drill-tagged passages and alerts of [from, to). */
  report(drill: { id: string; scenario: string; from: number; to: number }): DrillReport {
    const verdicts = this.verdictsStmt.all(drill.from, drill.to) as Row[];
    const reasons = this.reasonsStmt.all(drill.from, drill.to) as Row[];
    const alerts = this.alertsStmt.all(drill.from, drill.to) as Row[];
    return {
      drillId: drill.id,
      scenario: drill.scenario,
      from: new Date(drill.from).toISOString(),
      to: new Date(drill.to).toISOString(),
      passages: verdicts.reduce((sum, row) => sum + row.n, 0),
      verdicts: counts(verdicts),
      reasons: counts(reasons),
      alerts: counts(alerts),
    };
  }
}

interface Row {
  k: string;
  n: number;
}

function counts(rows: readonly Row[]): Record<string, number> {
  return Object.fromEntries(rows.map((row) => [row.k, row.n]));
}
