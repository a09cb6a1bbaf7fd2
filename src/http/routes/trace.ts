import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { OVERSIGHT } from '../auth.js';
import { BomQuery, sendCsv, wantsBom } from '../csv.js';
import { readerOf, type HttpDeps } from '../deps.js';
import { auditRequestLookup } from '../lookup-audit.js';
import { fail, problemResponses } from '../problem.js';
import { IsoTimeInput } from '../schemas.js';
import { StringEnum } from '../../schema/types.js';
import { SUBJECT_KINDS } from '../../core/credential.js';
import { toCsv } from '../../store/csv.js';
import { knownRosterCards, traceHashes } from '../../store/person-hashes.js';
import { CONTACT_COLUMNS, TRAIL_COLUMNS, TraceQueries } from '../../store/trace.js';

const TraceQuery = Type.Object(
  {
    subject: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'raw subject id; hashed with the estate key as the store keeps it' })),
    kind: StringEnum(SUBJECT_KINDS, { default: 'health-pass', description: 'what the subject id names' }),
    hash: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{22}$', description: 'the subject hash itself, instead of subject' })),
    from: Type.Optional(IsoTimeInput),
    to: Type.Optional(IsoTimeInput),
    windowMin: Type.Number({ minimum: 0, maximum: 1440, default: 5, description: 'contacts passed the same gate within ± this many minutes' }),
    format: StringEnum(['json', 'csv'] as const, { default: 'json' }),
    output: StringEnum(['trail', 'contacts'] as const, { default: 'trail', description: 'which table the CSV holds' }),
    bom: BomQuery,
  },
  { additionalProperties: false },
);

const TrailEntry = Type.Object({
  passageId: Type.String(),
  time: Type.String(),
  gate: Type.String(),
  lane: Type.String(),
  direction: Type.String(),
  credential: Type.String({ description: 'what was shown: card, health-pass, visitor-pass, plate' }),
  verdict: Type.String(),
  reasons: Type.Array(Type.String()),
  temperatureC: Type.Union([Type.Number(), Type.Null()]),
  outcome: Type.Union([Type.String(), Type.Null()]),
});
const Contact = Type.Object({ subject: Type.String(), encounters: Type.Integer(), closestMs: Type.Number(), gates: Type.Array(Type.String()), first: Type.String(), last: Type.String() });
const TraceResult = Type.Object({
  subject: Type.String({ description: "the person's hash (for a roster card, the holder's health-pass hash)" }),
  hashes: Type.Array(Type.String(), { description: 'every hash the trail matched: the person under each credential they showed' }),
  from: Type.String(), to: Type.String(), windowMin: Type.Number(), trail: Type.Array(TrailEntry), contacts: Type.Array(Contact) });

const DEFAULT_SPAN_MS = 14 * 86_400_000;

/**
 * Movement trail and contacts of one person (estate plan, rule 6), whatever
 * credentials they showed, for managers and auditors: the same queries as
 * `gatewarden trace`, JSON or CSV. Every lookup is audited (who, the
 * person's hashes, the range) before its answer goes out; an audit row that
 * cannot be written refuses the lookup.
 */
export function traceRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const queries = new TraceQueries(readerOf(deps));
  app.get<{ Querystring: Static<typeof TraceQuery> }>(
    '/api/trace',
    {
      config: { auth: OVERSIGHT },
      schema: { operationId: 'traceSubject', tags: ['trace'], summary: "A subject's trail and contacts in a time range (default the last 14 days)", querystring: TraceQuery, response: { 200: Type.Union([TraceResult, Type.String()]), ...problemResponses(400, 401, 403, 503) } },
    },
    async (request, reply) => {
      const q = request.query;
      const hashes = q.hash ? [q.hash] : hashesOf(deps, q.kind, q.subject);
      const to = q.to ? Date.parse(q.to) : deps.clock.now();
      const from = q.from ? Date.parse(q.from) : to - DEFAULT_SPAN_MS;
      if (from > to) fail('GW_HTTP_INVALID', 'from must not be after to', ['from: expected a time not after to']);
      const range = { hashes, from, to };
      const trail = queries.trail(range).map(({ at, ...entry }) => ({ ...entry, time: new Date(at).toISOString() }));
      const contacts = queries.contacts(range, q.windowMin * 60_000).map(({ firstAt, lastAt, ...c }) => ({ ...c, first: new Date(firstAt).toISOString(), last: new Date(lastAt).toISOString() }));
      auditRequestLookup(deps, request, {
        kind: 'trace',
        subjects: hashes,
        from,
        to,
        filter: { format: q.format, windowMin: q.windowMin, ...(q.format === 'csv' ? { output: q.output } : {}) },
        returned: { trail: trail.length, contacts: contacts.length },
      });
      if (q.format === 'csv') {
        const csv = q.output === 'contacts' ? toCsv(CONTACT_COLUMNS, contacts, { bom: wantsBom(q.bom) }) : toCsv(TRAIL_COLUMNS, trail, { bom: wantsBom(q.bom) });
        return sendCsv(reply, `trace-${q.output}.csv`, csv);
      }
      return { subject: hashes[0] ?? '', hashes, from: new Date(from).toISOString(), to: new Date(to).toISOString(), windowMin: q.windowMin, trail, contacts };
    },
  );
}

/** Every hash of the person (or plate) the id names, a card's UID resolved through the live and the stored roster. */
function hashesOf(deps: HttpDeps, kind: Static<typeof TraceQuery>['kind'], subject: string | undefined): string[] {
  if (subject === undefined) fail('GW_HTTP_INVALID', 'trace needs subject or hash', ['subject: required unless hash is given']);
  const registry = deps.estate.registry;
  if (!registry) fail('GW_HTTP_UNAVAILABLE', 'subject lookup is not available on this gateway: give the hash');
  return traceHashes((s) => registry.hashSubject(s), knownRosterCards(readerOf(deps), [...deps.estate.roster.values()]), kind, subject);
}
