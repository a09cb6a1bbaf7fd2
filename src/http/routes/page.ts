import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { Id } from '../../schema/types.js';
import { EVERY_ROLE, ANY_ROLE, GATE_STAFF } from '../auth.js';
import { readerOf, type HttpDeps } from '../deps.js';
import { auditRequestLookup } from '../lookup-audit.js';
import { fail, problemResponses } from '../problem.js';
import { laneDays } from '../queries/lane-stats.js';
import { PassageReads } from '../../store/passage-reads.js';
import { EstateClock } from '../time-zone.js';

/** How long after a scan the guard may take its subject into the visitor form. */
const SCANNED_PASS_TTL_MS = 60_000;
const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const Estate = Type.Object({
  id: Type.String(),
  name: Type.String(),
  timeZone: Type.String({ description: 'IANA zone the page shows times in (config estate.timeZone)' }),
  gates: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), lanes: Type.Array(Type.Object({ id: Type.String(), direction: Type.String(), kind: Type.String() })) })),
});
const Hours = Type.Array(Type.Integer(), { minItems: 24, maxItems: 24 });
const Counts = Type.Object({ passed: Type.Integer(), refused: Type.Integer(), fevers: Type.Integer() });
const LaneDay = Type.Object({ gate: Type.String(), lane: Type.String(), totals: Counts, hours: Type.Object({ passed: Hours, refused: Hours, fevers: Hours }) });
const Today = Type.Object({ date: Type.String({ description: 'YYYY-MM-DD in the estate time zone' }), timeZone: Type.String(), lanes: Type.Array(LaneDay) });
const ScanParams = Type.Object({ gate: Id, lane: Id }, { additionalProperties: false });
const ScanQuery = Type.Object({ passageId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
const Scanned = Type.Object({ subject: Type.String({ description: "the health pass's subject id, to register the visitor under" }), passageId: Type.String(), at: Type.String() });

/**
 * Read-only views the guard-room page needs beside the API's resources: the
 * estate (name, time zone, gates and lanes), today's counters per lane, and
 * the subject of a health pass just scanned at a lane, for the visitor form.
 */
export function pageRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const passages = new PassageReads(readerOf(deps));
  const estate = deps.estateInfo ?? { id: '', name: '', timeZone: DEFAULT_TIME_ZONE };
  const clock = new EstateClock(estate.timeZone);
  const lanes = [...deps.lanes.values()].map((lane) => lane.snapshot());

  app.get(
    '/api/estate',
    { config: { auth: EVERY_ROLE }, schema: { operationId: 'getEstate', tags: ['session'], summary: 'The estate: name, time zone, gates and their lanes', response: { 200: Estate, ...problemResponses(401, 403) } } },
    async () => ({
      ...estate,
      gates: deps.gates.map((gate) => ({ id: gate.id, name: gate.name, lanes: lanes.filter((l) => l.gate === gate.id).map((l) => ({ id: l.lane, direction: l.direction, kind: l.kind })) })),
    }),
  );

  app.get(
    '/api/lanes/today',
    { config: { auth: ANY_ROLE }, schema: { operationId: 'getLanesToday', tags: ['lanes'], summary: "Today's passed, refused and fever counts per lane, by hour of the estate's day", response: { 200: Today, ...problemResponses(401, 403) } } },
    async () => {
      const now = deps.clock.now();
      return { date: clock.parts(now).date, timeZone: estate.timeZone, lanes: laneDays(passages, clock, now, lanes) };
    },
  );

  /** Passages already read for a visitor form (bounded: only the last minute's can be read at all). */
  const readPassages = new Set<string>();
  app.get<{ Params: Static<typeof ScanParams>; Querystring: Static<typeof ScanQuery> }>(
    '/api/lanes/:gate/:lane/scanned-pass',
    {
      config: { auth: GATE_STAFF },
      schema: {
        operationId: 'getScannedPass',
        tags: ['lanes'],
        summary: "The subject of the health pass decided in this passage, if it is the lane's last one and under a minute old, once: fills the visitor form (audited)",
        params: ScanParams,
        querystring: ScanQuery,
        response: { 200: Scanned, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { gate, lane } = request.params;
      const runner = deps.lanes.get(`${gate}/${lane}`);
      if (!runner) fail('GW_HTTP_NOT_FOUND', `no lane ${gate}/${lane}`);
      const last = runner.snapshot().lastPassage;
      // Only the lane's very last decision, only a health pass, only for a minute: the page asks right after the scan it saw in the live feed.
      const fresh = last && last.id === request.query.passageId && last.subject?.kind === 'health-pass' && deps.clock.now() - last.at <= SCANNED_PASS_TTL_MS;
      if (!fresh || !last.subject) fail('GW_HTTP_NOT_FOUND', `passage ${request.query.passageId} is not a health pass scanned at ${gate}/${lane} in the last minute`);
      // A raw id leaves the gateway here, so once per passage and on the audit trail, not only in the log (found
      // from outside: a guard polling every lane collected the ids of everyone who showed a pass, unaudited).
      if (readPassages.has(last.id)) fail('GW_HTTP_NOT_FOUND', `passage ${last.id} was read for a visitor form already`);
      const subjectHash = deps.estate.registry?.hashSubject(last.subject);
      auditRequestLookup(deps, request, { kind: 'scanned-pass', subjects: subjectHash ? [subjectHash] : [], from: last.at, to: last.at, filter: { gate, lane, passageId: last.id } });
      remember(readPassages, last.id);
      return { subject: last.subject.id, passageId: last.id, at: new Date(last.at).toISOString() };
    },
  );
}

/** Keeps the last 1,000 ids: a passage older than a minute cannot be read again anyway. */
function remember(ids: Set<string>, id: string): void {
  ids.add(id);
  if (ids.size > 1000) ids.delete(ids.values().next().value as string);
}
