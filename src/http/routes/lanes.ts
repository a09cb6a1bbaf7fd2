import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { Id } from '../../schema/types.js';
import { ANY_ROLE, GATE_STAFF } from '../auth.js';
import { IdempotencyHeaders, runCommand } from '../command-bridge.js';
import type { HttpDeps } from '../deps.js';
import { fail, problemResponses } from '../problem.js';
import { DeviceSchema, LaneSchema, Reason } from '../schemas.js';
import { devicesView, laneView, placements } from '../views.js';
import { pageRoutes } from './page.js';

const LaneParams = Type.Object({ gate: Id, lane: Id }, { additionalProperties: false });
const ReleaseBody = Type.Object({ reason: Reason }, { additionalProperties: false });
const Released = Type.Object({ passageId: Type.String({ description: 'the MANUAL_RELEASE passage recorded before the barrier moved' }) });

/** Lanes and devices with their live status, and the manual release of a lane. */
export function laneRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const gateNames = new Map(deps.gates.map((gate) => [gate.id, gate.name]));
  const where = placements(deps.lanes.values());
  // The page's read-only views (estate, today's counters, a scanned pass) sit beside the lanes they describe.
  pageRoutes(app, deps);

  app.get(
    '/api/lanes',
    { config: { auth: ANY_ROLE }, schema: { operationId: 'listLanes', tags: ['lanes'], summary: 'Every lane: phase, mode, last decision, last temperature, devices', response: { 200: Type.Array(LaneSchema), ...problemResponses(401, 403) } } },
    async () => [...deps.lanes.values()].map((lane) => laneView(lane.snapshot(), gateNames.get(lane.snapshot().gate) ?? '', deps.estate)),
  );

  app.get(
    '/api/devices',
    { config: { auth: ANY_ROLE }, schema: { operationId: 'listDevices', tags: ['lanes'], summary: 'Every device with its availability and last error', response: { 200: Type.Array(DeviceSchema), ...problemResponses(401, 403) } } },
    async () => devicesView(deps.devices.values(), where),
  );

  app.post<{ Params: Static<typeof LaneParams>; Body: Static<typeof ReleaseBody> }>(
    '/api/lanes/:gate/:lane/release',
    {
      config: { auth: GATE_STAFF, command: 'open' },
      schema: {
        operationId: 'releaseLane',
        tags: ['lanes'],
        summary: 'Release a lane by hand (command `open`): recorded as a MANUAL_RELEASE passage and audited',
        params: LaneParams,
        headers: IdempotencyHeaders,
        body: ReleaseBody,
        response: { 200: Released, ...problemResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => {
      const { gate, lane } = request.params;
      if (!deps.lanes.has(`${gate}/${lane}`)) fail('GW_HTTP_NOT_FOUND', `no lane ${gate}/${lane}`);
      const data = (await runCommand(deps, request, 'open', { gate, lane, reason: request.body.reason, by: request.principal?.name })) as { passageId: string };
      return { passageId: data.passageId };
    },
  );
}
