import { randomBytes } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { APPROVERS, GATE_STAFF } from '../auth.js';
import type { ApiRole } from '../../core/roles.js';
import { IdempotencyHeaders, idempotencyKey, runCommand, runCommandReply } from '../command-bridge.js';
import { readerOf, type HttpDeps } from '../deps.js';
import { fail, problemResponses } from '../problem.js';
import { listExitPasses } from '../queries/exit-passes.js';
import { CommandReads } from '../../store/command-reads.js';
import { IsoTime, IsoTimeInput, Nullable, Reason } from '../schemas.js';
import { StringEnum } from '../../schema/types.js';

const Subject = Type.String({ minLength: 1, maxLength: 128, description: 'subject id of the health pass (visitor) or card (resident); stored only as its keyed hash' });
const VisitorBody = Type.Object(
  {
    subject: Subject,
    hostHousehold: Type.String({ minLength: 1, maxLength: 32 }),
    plate: Type.Optional(Type.String({ minLength: 1, maxLength: 16 })),
    purpose: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    origin: Type.Optional(Type.String({ pattern: '^\\d{6}$', description: 'GB/T 2260 region code the visitor comes from (rule 2)' })),
    testedNegativeAt: Type.Optional(IsoTimeInput),
    validFrom: Type.Optional(IsoTimeInput),
    validUntil: IsoTimeInput,
  },
  { additionalProperties: false },
);
const VisitorPass = Type.Object({
  passId: Type.String(),
  hostHousehold: Type.String(),
  plate: Type.Union([Type.String(), Type.Null()]),
  validFrom: Type.String(),
  validUntil: Type.String(),
  code: Type.String({ description: 'the text of the pass QR: VP1:<payload>.<tag> (docs/rules.md)' }),
  qrSvg: Type.String({ description: 'the pass QR as an SVG data URL, to show or print' }),
});
const ExitPassBody = Type.Object(
  { subject: Subject, household: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })), reason: Reason, validFrom: Type.Optional(IsoTimeInput), returnBy: IsoTimeInput },
  { additionalProperties: false },
);
const Warnings = Type.Optional(Type.Array(Type.String(), { description: 'accepted, with something to check (a subject that matches no known person)' }));
const ExitPass = Type.Object({ passId: Type.String(), returnBy: Type.String(), warnings: Warnings });
const ExitPassView = Type.Object({
  passId: Type.String(),
  household: Nullable(Type.String()),
  reason: Type.String(),
  issuedBy: Type.String(),
  validFrom: IsoTime,
  returnBy: IsoTime,
  leftAt: Nullable(IsoTime),
  returnedAt: Nullable(IsoTime),
  revokedAt: Nullable(IsoTime),
});
const ExitPassQuery = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }, { additionalProperties: false });
/** Who follows the exit passes: the approver who issues them, and the oversight roles. */
const EXIT_PASS_READERS: readonly ApiRole[] = ['approver', 'manager', 'auditor'];
const PassParams = Type.Object({ passId: Type.String({ minLength: 1, maxLength: 64 }) });
const RevokeBody = Type.Object({ reason: Reason }, { additionalProperties: false });
const Revoked = Type.Object({ pass: StringEnum(['visitor', 'exit'] as const), passId: Type.String(), revokedAt: Type.String(), warnings: Warnings });

/** A pass id short enough to key in by hand when a QR will not scan. */
function passId(prefix: string): string {
  return `${prefix}${randomBytes(9).toString('base64url')}`;
}

/**
 * What the route chose itself (the pass id, a visitor's default start) for the
 * command first accepted under this request's Idempotency-Key, read from its
 * reply. A retry with the same body is then the same command, answered again
 * as the first time, instead of a new pass id making it another command that
 * the key refuses (found from outside: 409 GW_COMMAND_REPLAYED on a retry).
 */
function firstChoices(deps: HttpDeps, request: FastifyRequest): { passId?: string; validFrom?: string } {
  const key = idempotencyKey(request);
  const data = key === undefined ? undefined : deps.commands?.acceptedReply(key)?.data;
  if (data === null || typeof data !== 'object') return {};
  const { passId: id, validFrom } = data as Record<string, unknown>;
  return { ...(typeof id === 'string' ? { passId: id } : {}), ...(typeof validFrom === 'string' ? { validFrom } : {}) };
}

/**
 * Visitor registration (estate plan, rule 1) and exit passes (rule 4), through
 * the `visitor` and `exit-pass` commands, and their revocation (`revoke-pass`).
 * Exit passes are the approver's: the local epidemic-control group's consent.
 */
export function passRoutes(app: FastifyInstance, deps: HttpDeps): void {
  visitorRoute(app, deps);
  exitPassRoutes(app, deps);
  revokeRoutes(app, deps);
}

/** `POST /api/visitors`: the visitor pass, with its QR as an SVG to show or print. */
function visitorRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.post<{ Body: Static<typeof VisitorBody> }>(
    '/api/visitors',
    {
      config: { auth: GATE_STAFF, command: 'visitor' },
      schema: { operationId: 'registerVisitor', tags: ['passes'], summary: 'Register a visitor and issue the visitor pass with its QR (command `visitor`)', headers: IdempotencyHeaders, body: VisitorBody, response: { 200: VisitorPass, ...problemResponses(400, 401, 403, 409, 503) } },
    },
    async (request) => {
      const body = request.body;
      const first = firstChoices(deps, request);
      const validFrom = body.validFrom ?? first.validFrom ?? new Date(deps.clock.now()).toISOString();
      if (Date.parse(body.validUntil) <= Date.parse(validFrom)) fail('GW_HTTP_INVALID', 'validUntil must be after validFrom', ['validUntil: expected a time after validFrom']);
      const id = first.passId ?? passId('V');
      const { plate, purpose, origin, testedNegativeAt } = body;
      const optional = { ...(plate ? { plate } : {}), ...(purpose ? { purpose } : {}), ...(origin ? { origin } : {}), ...(testedNegativeAt ? { testedNegativeAt } : {}) };
      const issued = (await runCommand(deps, request, 'visitor', { passId: id, subject: body.subject, hostHousehold: body.hostHousehold, ...optional, validFrom, validUntil: body.validUntil, by: request.principal?.name })) as { code: string };
      const { code } = issued;
      // Loaded here: the QR encoder (with pngjs) serves only the issuing of a visitor pass.
      const { default: QRCode } = await import('qrcode');
      const svg = await QRCode.toString(code, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      return { passId: id, hostHousehold: body.hostHousehold, plate: body.plate ?? null, validFrom, validUntil: body.validUntil, code, qrSvg: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
    },
  );
}

/** `POST /api/exit-passes` (the approver) and `GET /api/exit-passes` (oversight). */
function exitPassRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const commandReads = new CommandReads(readerOf(deps));
  app.post<{ Body: Static<typeof ExitPassBody> }>(
    '/api/exit-passes',
    {
      config: { auth: APPROVERS, command: 'exit-pass' },
      schema: {
        operationId: 'issueExitPass',
        tags: ['passes'],
        summary: 'Issue an exit pass for a resident during lockdown, with a return deadline (command `exit-pass`; the approver, i.e. the local epidemic-control group)',
        headers: IdempotencyHeaders,
        body: ExitPassBody,
        response: { 200: ExitPass, ...problemResponses(400, 401, 403, 409, 503) },
      },
    },
    async (request) => {
      const id = firstChoices(deps, request).passId ?? passId('E');
      const reply = await runCommandReply(deps, request, 'exit-pass', { ...request.body, passId: id, by: request.principal?.name });
      return { passId: id, returnBy: request.body.returnBy, ...(reply.warnings ? { warnings: reply.warnings } : {}) };
    },
  );

  app.get<{ Querystring: Static<typeof ExitPassQuery> }>(
    '/api/exit-passes',
    {
      config: { auth: EXIT_PASS_READERS },
      schema: { operationId: 'listExitPasses', tags: ['passes'], summary: 'Exit passes, newest first: issued, used to leave, returned, revoked', querystring: ExitPassQuery, response: { 200: Type.Array(ExitPassView), ...problemResponses(400, 401, 403) } },
    },
    async (request) => listExitPasses(commandReads, request.query.limit),
  );
}

function revokeRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const revokeRoute = (url: string, pass: 'visitor' | 'exit', auth: readonly ApiRole[]) =>
    app.post<{ Params: Static<typeof PassParams>; Body: Static<typeof RevokeBody> }>(
      url,
      {
        config: { auth, command: 'revoke-pass' },
        schema: { operationId: pass === 'visitor' ? 'revokeVisitorPass' : 'revokeExitPass', tags: ['passes'], summary: `Revoke a ${pass} pass: it grants nothing from the next scan on (command \`revoke-pass\`)`, headers: IdempotencyHeaders, params: PassParams, body: RevokeBody, response: { 200: Revoked, ...problemResponses(400, 401, 403, 409, 503) } },
      },
      async (request) => {
        const reply = await runCommandReply(deps, request, 'revoke-pass', { pass, passId: request.params.passId, reason: request.body.reason, by: request.principal?.name });
        return { ...(reply.data as Static<typeof Revoked>), ...(reply.warnings ? { warnings: reply.warnings } : {}) };
      },
    );
  revokeRoute('/api/visitors/:passId/revoke', 'visitor', GATE_STAFF);
  revokeRoute('/api/exit-passes/:passId/revoke', 'exit', APPROVERS);
}
