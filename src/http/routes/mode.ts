import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { CommandSchemas } from '../../contract/command-schemas.js';
import { EVERY_ROLE, GATE_STAFF, MANAGERS } from '../auth.js';
import { IdempotencyHeaders, runCommandReply } from '../command-bridge.js';
import type { HttpDeps } from '../deps.js';
import { problemResponses } from '../problem.js';
import { ModeChangeSchema, ModeSchema, Reason } from '../schemas.js';
import { modeView } from '../views.js';

/**
 * The `lockdown` command's fields without the envelope and `by` (the token's name is the actor); the page asks a
 * reason of at least a few characters.
 */
const { gates, expiresAt, drill } = CommandSchemas.lockdown.properties;
const LockdownBody = Type.Object({ reason: Reason, gates, expiresAt, drill }, { additionalProperties: false });
const LiftBody = Type.Object({ reason: Reason, gates }, { additionalProperties: false });

/**
 * The estate's mode. Setting and lifting a lockdown are the MQTT commands
 * `lockdown` and `mode` (normal); lifting is for managers (estate plan, rule 9),
 * checked here and again by the command service.
 */
export function modeRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const gateIds = deps.gates.map((gate) => gate.id);
  const current = () => modeView(deps.estate, gateIds);
  /** The mode after the change, to the live feed; the reply adds what the command replaced. */
  const after = (warnings: string[] | undefined) => {
    const view = current();
    deps.feed.publish('mode', view);
    return { ...view, ...(warnings ? { warnings } : {}) };
  };

  app.get('/api/mode', { config: { auth: EVERY_ROLE }, schema: { operationId: 'getMode', tags: ['mode'], summary: 'The current mode of the estate and of each gate', response: { 200: ModeSchema, ...problemResponses(401, 403) } } }, async () => current());

  app.post<{ Body: Static<typeof LockdownBody> }>(
    '/api/mode/lockdown',
    {
      config: { auth: GATE_STAFF, command: 'lockdown' },
      schema: { operationId: 'lockDown', tags: ['mode'], summary: 'Lock down the estate or some gates (command `lockdown`)', headers: IdempotencyHeaders, body: LockdownBody, response: { 200: ModeChangeSchema, ...problemResponses(400, 401, 403, 409, 503) } },
    },
    async (request) => {
      return after((await runCommandReply(deps, request, 'lockdown', { ...request.body, by: request.principal?.name })).warnings);
    },
  );

  app.post<{ Body: Static<typeof LiftBody> }>(
    '/api/mode/lift',
    {
      config: { auth: MANAGERS, command: 'mode' },
      schema: { operationId: 'liftLockdown', tags: ['mode'], summary: 'Lift a lockdown: back to normal (command `mode`)', headers: IdempotencyHeaders, body: LiftBody, response: { 200: ModeChangeSchema, ...problemResponses(400, 401, 403, 409, 503) } },
    },
    async (request) => {
      return after((await runCommandReply(deps, request, 'mode', { ...request.body, mode: 'normal', by: request.principal?.name })).warnings);
    },
  );
}
