/**
 * Versioned schema migrations, applied in order inside one transaction each and
 * tracked in `PRAGMA user_version`. Never edit a released migration: add one.
 * Times are Unix milliseconds; subject ids are keyed hashes, never raw codes.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'passages, alerts, outbox',
    sql: `
      CREATE TABLE passages (
        id TEXT PRIMARY KEY,
        at INTEGER NOT NULL,
        gate TEXT NOT NULL,
        lane TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        kind TEXT NOT NULL,
        credential TEXT NOT NULL,
        subject_hash TEXT,
        verdict TEXT NOT NULL CHECK (verdict IN ('grant', 'deny', 'refer')),
        reasons TEXT NOT NULL,
        rule TEXT NOT NULL,
        policy_version TEXT NOT NULL,
        temperature_c REAL,
        readings TEXT NOT NULL,
        mode TEXT NOT NULL,
        outcome TEXT,
        settled_at INTEGER
      ) STRICT;
      CREATE INDEX passages_at ON passages (at);
      CREATE INDEX passages_subject_at ON passages (subject_hash, at);
      CREATE INDEX passages_gate_at ON passages (gate, at);

      CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        at INTEGER NOT NULL,
        type TEXT NOT NULL,
        severity TEXT NOT NULL,
        gate TEXT,
        lane TEXT,
        passage_id TEXT,
        subject_hash TEXT,
        reasons TEXT NOT NULL,
        details TEXT NOT NULL,
        acked_at INTEGER,
        acked_by TEXT
      ) STRICT;
      CREATE INDEX alerts_at ON alerts (at);

      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        topic TEXT NOT NULL,
        payload TEXT NOT NULL,
        qos INTEGER NOT NULL,
        retain INTEGER NOT NULL,
        priority INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'commands: audit, accepted ids, modes, lists, passes, policies, drills',
    sql: `
      CREATE TABLE audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        command_id TEXT NOT NULL,
        name TEXT NOT NULL,
        via TEXT NOT NULL,
        principal TEXT NOT NULL,
        role TEXT NOT NULL,
        ok INTEGER NOT NULL,
        error_code TEXT,
        body TEXT NOT NULL,
        reply TEXT NOT NULL
      ) STRICT;
      CREATE INDEX audit_at ON audit (at);
      CREATE INDEX audit_command ON audit (command_id);

      -- Accepted command ids, never accepted twice; the reply makes a retry idempotent.
      CREATE TABLE commands (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        digest TEXT NOT NULL,
        reply TEXT NOT NULL,
        at INTEGER NOT NULL
      ) STRICT;

      -- Mode per scope: 'estate' or a gate id.
      CREATE TABLE modes (
        scope TEXT PRIMARY KEY,
        mode TEXT NOT NULL CHECK (mode IN ('normal', 'lockdown', 'emergency-open')),
        reason TEXT NOT NULL,
        by TEXT NOT NULL,
        since INTEGER NOT NULL,
        expires_at INTEGER,
        drill INTEGER NOT NULL DEFAULT 0,
        command_id TEXT NOT NULL
      ) STRICT;

      -- Quarantine, recovered, risk areas, trust list, roster: the latest version of each.
      CREATE TABLE lists (
        name TEXT PRIMARY KEY,
        version TEXT NOT NULL,
        entries TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        command_id TEXT NOT NULL
      ) STRICT;

      CREATE TABLE policies (
        version TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        command_id TEXT NOT NULL
      ) STRICT;

      CREATE TABLE exit_passes (
        id TEXT PRIMARY KEY,
        subject_hash TEXT NOT NULL,
        household TEXT,
        reason TEXT NOT NULL,
        valid_from INTEGER NOT NULL,
        return_by INTEGER NOT NULL,
        issued_by TEXT NOT NULL,
        revoked_at INTEGER,
        returned_at INTEGER,
        command_id TEXT NOT NULL
      ) STRICT;
      CREATE INDEX exit_passes_subject ON exit_passes (subject_hash, return_by);

      CREATE TABLE visitor_passes (
        id TEXT PRIMARY KEY,
        subject_hash TEXT NOT NULL,
        host_household TEXT NOT NULL,
        plate TEXT,
        valid_from INTEGER NOT NULL,
        valid_until INTEGER NOT NULL,
        issued_by TEXT NOT NULL,
        revoked_at INTEGER,
        command_id TEXT NOT NULL
      ) STRICT;
      CREATE INDEX visitor_passes_subject ON visitor_passes (subject_hash, valid_until);

      -- What goes up to the district uplink: filled by a trigger the gateway creates when an uplink is configured.
      CREATE TABLE uplink_outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        topic TEXT NOT NULL,
        payload TEXT NOT NULL,
        qos INTEGER NOT NULL,
        retain INTEGER NOT NULL,
        priority INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE drills (
        id TEXT PRIMARY KEY,
        scenario TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        ends_at INTEGER,
        by TEXT NOT NULL,
        command_id TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 3,
    name: 'gate rules: drill tag, visitor details, exit-pass use, drill reports, stats',
    sql: `
      ALTER TABLE passages ADD COLUMN drill INTEGER NOT NULL DEFAULT 0;

      ALTER TABLE visitor_passes ADD COLUMN purpose TEXT;
      ALTER TABLE visitor_passes ADD COLUMN origin TEXT;
      ALTER TABLE visitor_passes ADD COLUMN tested_negative_at INTEGER;
      CREATE INDEX visitor_passes_plate ON visitor_passes (plate, valid_until);

      -- When the resident went out on the pass, and when exit-overdue was raised (once).
      ALTER TABLE exit_passes ADD COLUMN left_at INTEGER;
      ALTER TABLE exit_passes ADD COLUMN overdue_alerted_at INTEGER;
      CREATE INDEX exit_passes_overdue ON exit_passes (return_by) WHERE left_at IS NOT NULL AND returned_at IS NULL;

      ALTER TABLE drills ADD COLUMN enforce INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE drills ADD COLUMN stopped_at INTEGER;
      ALTER TABLE drills ADD COLUMN report TEXT;

      -- The periodic report (…/stats), one row per gate per interval.
      CREATE TABLE stats (
        gate TEXT NOT NULL,
        period_start INTEGER NOT NULL,
        period_end INTEGER NOT NULL,
        entries INTEGER NOT NULL,
        exits INTEGER NOT NULL,
        refusals TEXT NOT NULL,
        fevers INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (gate, period_start)
      ) STRICT;
    `,
  },
  {
    version: 4,
    name: 'person model: vehicle hash on passages, alerts by subject',
    sql: `
      -- A vehicle passage's subject is the screened occupant; the plate is kept beside it.
      ALTER TABLE passages ADD COLUMN vehicle_hash TEXT;
      -- Before v4 a plate passage's subject was the plate itself.
      UPDATE passages SET vehicle_hash = subject_hash WHERE credential = 'plate';
      CREATE INDEX passages_vehicle_at ON passages (vehicle_hash, at) WHERE vehicle_hash IS NOT NULL;
      -- The start-up re-key of roster cards (person-rekey.ts) rewrites alerts by subject too.
      CREATE INDEX alerts_subject ON alerts (subject_hash) WHERE subject_hash IS NOT NULL;
    `,
  },
  {
    version: 5,
    name: 'report stream: sequence and hash chain, kept reports, broker links down across restarts',
    sql: `
      -- Every chained report exactly as published (docs/district.md), kept for storage.retentionDays
      -- so cmd/resend republishes it byte for byte. seq is the gateway's report sequence, without gaps.
      CREATE TABLE report_log (
        seq INTEGER PRIMARY KEY,
        hash TEXT NOT NULL,
        topic TEXT NOT NULL,
        payload TEXT NOT NULL,
        qos INTEGER NOT NULL,
        retain INTEGER NOT NULL,
        priority INTEGER NOT NULL,
        at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX report_log_at ON report_log (at);

      -- The head of the chain, kept when retention has purged every row of report_log.
      CREATE TABLE report_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL
      ) STRICT;

      -- Since when each broker link has been down, so a broker-outage alert counts an outage across gateway restarts.
      CREATE TABLE link_state (
        link TEXT PRIMARY KEY,
        down_since INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 6,
    name: 'granted passes of the replay window, kept across restarts',
    sql: `
      -- A pass granted moments ago and shown again (a shared screenshot) is refused after a restart too.
      -- key: the pass fingerprint (a SHA-256 prefix of its payload) and the direction; rows past the window are pruned.
      CREATE TABLE replay_window (
        key TEXT PRIMARY KEY,
        at INTEGER NOT NULL
      ) STRICT;
    `,
  },
];
