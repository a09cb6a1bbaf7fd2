import { loadConfig } from '../config/load-config.js';
import type { Config } from '../config/schema.js';
import { SUBJECT_KINDS, type Subject } from '../core/credential.js';
import { GatewardenError } from '../errors.js';
import { loadSecrets } from '../secrets.js';
import { openDatabase, type Db } from '../store/database.js';
import { toCsv } from '../store/csv.js';
import { knownRosterCards, traceHashes } from '../store/person-hashes.js';
import { subjectHasher } from '../store/subject-hash.js';
import { TraceQueries } from '../store/trace.js';
import pino from 'pino';

export interface TraceOptions {
  subject?: string | undefined;
  kind?: string | undefined;
  hash?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  windowMin?: string | undefined;
  format?: string | undefined;
  output?: string | undefined;
}

/**
 * `gatewarden trace CONFIG --subject ID`: a person's (or a plate's) trail and
 * contacts, as JSON or CSV. The id is hashed with the estate key, as the store
 * keeps it, into every hash the person's passages carry (person-hashes.ts), so
 * a trace by card also finds the same person's health-pass passages. The
 * database is only read, so this runs beside a live gateway (WAL).
 */
export function runTrace(configPath: string, options: TraceOptions): string {
  const config = loadConfig(configPath);
  const kind = SUBJECT_KINDS.find((known) => known === (options.kind ?? 'card'));
  if (kind === undefined) throw new GatewardenError('GW_COMMAND_INVALID', `--kind: expected one of ${SUBJECT_KINDS.join(', ')}`);
  if (!options.hash && !options.subject) throw new GatewardenError('GW_COMMAND_INVALID', 'trace needs --subject ID (or --hash HASH)');
  const to = parseTime(options.to, Date.now(), '--to');
  const from = parseTime(options.from, to - 14 * 86_400_000, '--from');
  const windowMin = Number(options.windowMin ?? '5');
  if (!Number.isFinite(windowMin) || windowMin < 0) throw new GatewardenError('GW_COMMAND_INVALID', '--window-min: expected a number of minutes >= 0');

  const db = openDatabase({ path: config.storage.path, synchronous: config.storage.synchronous, log: pino({ level: 'silent' }) });
  try {
    const hashes = options.hash ? [options.hash] : subjectHashes(config, db, kind, options.subject ?? '');
    const queries = new TraceQueries(db);
    const range = { hashes, from, to };
    const trail = queries.trail(range).map((entry) => ({ ...entry, time: new Date(entry.at).toISOString() }));
    const contacts = queries.contacts(range, windowMin * 60_000).map((c) => ({ ...c, first: new Date(c.firstAt).toISOString(), last: new Date(c.lastAt).toISOString() }));
    if ((options.format ?? 'json') === 'json') {
      return JSON.stringify({ subject: hashes[0], hashes, from: new Date(from).toISOString(), to: new Date(to).toISOString(), windowMin, trail, contacts }, null, 2);
    }
    if (options.format !== 'csv') throw new GatewardenError('GW_COMMAND_INVALID', '--format: expected one of json, csv');
    return options.output === 'contacts'
      ? toCsv(['subject', 'encounters', 'closestMs', 'gates', 'first', 'last'], contacts)
      : toCsv(['time', 'gate', 'lane', 'direction', 'verdict', 'reasons', 'temperatureC', 'outcome', 'passageId'], trail);
  } finally {
    db.close();
  }
}

/** The person behind the id: a roster card's UID resolves, through the config's and the stored roster, to the card holder. */
function subjectHashes(config: Config, db: Db, kind: Subject['kind'], id: string): string[] {
  const { secrets } = loadSecrets(config.secrets.path, false, false);
  return traceHashes(subjectHasher(Buffer.from(secrets.estateKey, 'base64url')), knownRosterCards(db, config.roster.cards), kind, id);
}

function parseTime(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new GatewardenError('GW_COMMAND_INVALID', `${flag}: expected an ISO 8601 date-time, got ${JSON.stringify(value)}`);
  return at;
}
