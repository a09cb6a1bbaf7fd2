import { userInfo } from 'node:os';
import { loadConfig } from '../config/load-config.js';
import type { Config } from '../config/schema.js';
import { SUBJECT_KINDS, type Subject } from '../core/credential.js';
import { GatewardenError } from '../errors.js';
import { loadSecrets } from '../secrets.js';
import { openDatabase, type Db } from '../store/database.js';
import { toCsv } from '../store/csv.js';
import { auditLookup } from '../store/lookup-audit.js';
import { knownRosterCards, traceHashes } from '../store/person-hashes.js';
import { subjectHasher } from '../store/subject-hash.js';
import { CONTACT_COLUMNS, TRAIL_COLUMNS, TraceQueries } from '../store/trace.js';
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
  /** A UTF-8 byte order mark before a CSV, for Excel. */
  bom?: boolean | undefined;
}

/**
 * `gatewarden trace CONFIG --subject ID`: a person's (or a plate's) trail and
 * contacts, as JSON or CSV. The id is hashed with the estate key, as the store
 * keeps it, into every hash the person's passages carry (person-hashes.ts), so
 * a trace by card also finds the same person's health-pass passages. It runs
 * beside a live gateway (WAL); its one write is the audit row of the lookup
 * (principal `cli:<os user>`, the hashes and the range), made before the
 * answer is printed.
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
    const format = options.format ?? 'json';
    if (format !== 'json' && format !== 'csv') throw new GatewardenError('GW_COMMAND_INVALID', '--format: expected one of json, csv');
    const output = options.output === 'contacts' ? 'contacts' : 'trail';
    auditLookup(db, {
      at: Date.now(),
      via: 'cli',
      principal: `cli:${userInfo().username}`,
      role: 'cli',
      kind: 'trace',
      subjects: hashes,
      from,
      to,
      filter: { format, windowMin, ...(format === 'csv' ? { output } : {}) },
      returned: { trail: trail.length, contacts: contacts.length },
    });
    if (format === 'json') {
      return JSON.stringify({ subject: hashes[0], hashes, from: new Date(from).toISOString(), to: new Date(to).toISOString(), windowMin, trail, contacts }, null, 2);
    }
    const bom = options.bom === true;
    return output === 'contacts' ? toCsv(CONTACT_COLUMNS, contacts, { bom }) : toCsv(TRAIL_COLUMNS, trail, { bom });
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
