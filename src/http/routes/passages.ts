import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { Id } from '../../schema/types.js';
import { ANY_ROLE } from '../auth.js';
import { readerOf, type HttpDeps } from '../deps.js';
import { fail, problemResponses } from '../problem.js';
import { CURSOR_PATTERN } from '../queries/cursor.js';
import { PassageQueries, type PassageFilter } from '../queries/passages.js';
import { IsoTimeInput, PageOf, PassageSchema, Verdict, type PassageView } from '../schemas.js';
import { csvStream } from '../../store/csv.js';
import { BomQuery, sendCsv, wantsBom } from '../csv.js';
import { auditRequestLookup } from '../lookup-audit.js';
import { reasonTexts } from '../../core/labels.js';
import { StringEnum } from '../../schema/types.js';
import { EstateClock } from '../time-zone.js';

const Filter = {
  gate: Type.Optional(Id),
  lane: Type.Optional(Id),
  verdict: Type.Optional(Verdict),
  from: Type.Optional(IsoTimeInput),
  to: Type.Optional(IsoTimeInput),
};
const ListQuery = Type.Object(
  { ...Filter, limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }), cursor: Type.Optional(Type.String({ pattern: CURSOR_PATTERN })) },
  { additionalProperties: false },
);
const CsvQuery = Type.Object(
  { ...Filter, limit: Type.Integer({ minimum: 1, maximum: 100_000, default: 10_000 }), bom: BomQuery, lang: StringEnum(['zh', 'en'] as const, { default: 'zh', description: 'language of the reasonTexts column' }) },
  { additionalProperties: false },
);

/** Beside the codes and UTC times: the reasons in words and the time in the estate's zone, for the manager reading it in a spreadsheet. */
const CSV_COLUMNS: ReadonlyArray<(keyof PassageView & string) | 'reasonTexts' | 'localTime'> = ['id', 'at', 'localTime', 'gate', 'lane', 'direction', 'kind', 'credential', 'verdict', 'reasons', 'reasonTexts', 'rule', 'policyVersion', 'temperatureC', 'mode', 'outcome'];

/** Passage search, newest first, and its CSV export (audited: a bulk lookup of personal data, issue 12). */
export function passageRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const queries = new PassageQueries(readerOf(deps));
  const clock = new EstateClock(deps.estateInfo?.timeZone ?? 'Asia/Shanghai');

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/passages',
    {
      config: { auth: ANY_ROLE },
      schema: { operationId: 'listPassages', tags: ['passages'], summary: 'Passages filtered by gate, lane, verdict and time range; paginated by cursor', querystring: ListQuery, response: { 200: PageOf(PassageSchema), ...problemResponses(400, 401, 403) } },
    },
    async (request) => queries.list({ ...filterOf(request.query), ...(request.query.cursor ? { cursor: request.query.cursor } : {}) }, request.query.limit),
  );

  app.get<{ Querystring: Static<typeof CsvQuery> }>(
    '/api/passages.csv',
    {
      config: { auth: ANY_ROLE },
      schema: { operationId: 'exportPassagesCsv', tags: ['passages'], summary: 'The same search as CSV (RFC 4180), newest first', querystring: CsvQuery, produces: ['text/csv'], response: { 200: Type.String(), ...problemResponses(400, 401, 403) } },
    },
    async (request, reply) => {
      const { limit, bom, lang } = request.query;
      const filter = filterOf(request.query);
      const { from = null, to = null, ...narrowed } = filter;
      auditRequestLookup(deps, request, { kind: 'passages-export', from, to, filter: { ...narrowed, limit, format: 'csv' } });
      return sendCsv(reply, 'passages.csv', csvStream(CSV_COLUMNS, withTexts(queries.iterate(filter, limit), lang, clock), { bom: wantsBom(bom) }));
    },
  );
}

async function* withTexts(rows: AsyncIterable<PassageView>, lang: 'zh' | 'en', clock: EstateClock): AsyncGenerator<PassageView & { reasonTexts: string; localTime: string }> {
  for await (const row of rows) yield { ...row, reasonTexts: reasonTexts(row.reasons, lang), localTime: clock.local(Date.parse(row.at)) };
}

function filterOf(query: Static<typeof ListQuery>): PassageFilter {
  const from = query.from === undefined ? undefined : Date.parse(query.from);
  const to = query.to === undefined ? undefined : Date.parse(query.to);
  if (from !== undefined && to !== undefined && to <= from) fail('GW_HTTP_INVALID', 'to must be after from', ['to: expected a time after from']);
  return {
    ...(query.gate ? { gate: query.gate } : {}),
    ...(query.lane ? { lane: query.lane } : {}),
    ...(query.verdict ? { verdict: query.verdict } : {}),
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
  };
}
