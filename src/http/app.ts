import { limitConnections } from './connection-limits.js';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { VERSION } from '../version.js';
import { rateLimitKey, registerAuth } from './auth.js';
import { auditRefusedCommands } from './refused-commands.js';
import type { HttpDeps } from './deps.js';
import { problem, ProblemError, sendProblem } from './problem.js';
import { AlertQueries } from './queries/alerts.js';
import { alertRoutes } from './routes/alerts.js';
import { auditRoutes } from './routes/audit.js';
import { eventRoutes } from './routes/events.js';
import { laneRoutes } from './routes/lanes.js';
import { modeRoutes } from './routes/mode.js';
import { opsRoutes } from './routes/ops.js';
import { passRoutes } from './routes/passes.js';
import { passageRoutes } from './routes/passages.js';
import { sessionRoutes } from './routes/session.js';
import { traceRoutes } from './routes/trace.js';
import { SECURITY_HEADERS } from './security-headers.js';
import { staticRoutes } from './static-files.js';
import type { TlsMaterial } from './tls.js';
import { validatorCompiler } from './validation.js';
import { Code } from '../errors.js';

/** Bodies are small JSON documents; nothing the page sends comes near this. */
const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * The HTTP app, apart from `listen()` (tests use `inject()`): the API, the
 * live feed, the operations endpoints, the OpenAPI document and the page.
 * With `tls`, its own server speaks HTTPS (tls-listeners.ts adds the plain one).
 */
export async function buildHttpApp(deps: HttpDeps, tls?: TlsMaterial): Promise<FastifyInstance> {
  const app = createApp(deps, tls);
  await registerPlugins(app, deps);
  registerAuth(app, deps.tokens);
  auditRefusedCommands(app, deps);
  registerRoutes(app, deps);
  app.addHook('preClose', async () => deps.feed.close());
  return app;
}

/** fastify with its limits, and every error answered as application/problem+json. */
function createApp(deps: HttpDeps, tls: TlsMaterial | undefined): FastifyInstance {
  // fastify types an HTTPS instance apart; the routes use nothing that differs.
  const app = Fastify({
    ...(tls ? { https: { cert: tls.cert, key: tls.key } } : {}),
    loggerInstance: deps.log.child({ module: 'http' }) as FastifyBaseLogger,
    // One line per request would drown the passage log on a busy gate.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    // Open event streams would otherwise hold close() forever.
    forceCloseConnections: true,
  });
  limitConnections(app.server);
  // A refused request ends its connection: a client sending no valid token does not keep a socket (found from outside:
  // a 401 whose body kept trickling held its socket 100 s).
  app.addHook('onSend', async (_request, reply, payload) => {
    if ([401, 403, 413].includes(reply.statusCode)) void reply.header('connection', 'close');
    return payload;
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ProblemError) return sendProblem(reply, error.problem);
    if (error.statusCode === 429) return sendProblem(reply, problem('GW_HTTP_RATE_LIMITED', error.message));
    if (error.statusCode !== undefined && error.statusCode < 500) {
      // fastify's own client errors: unsupported media type, malformed JSON, body too large.
      return sendProblem(reply, { ...problem('GW_HTTP_INVALID', error.message), status: error.statusCode });
    }
    // The path only: a query string may carry a raw subject id (/api/trace?subject=…), never logged (issue 12).
    request.log.error({ err: error.message, code: Code.GW_HTTP_INTERNAL, url: request.url.split('?')[0] }, 'request failed');
    return sendProblem(reply, problem('GW_HTTP_INTERNAL', 'unexpected error; see the gateway log'));
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, problem('GW_HTTP_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)));
  return app;
}

/** Security headers, the OpenAPI document, and the rate limit (counted before auth runs). */
async function registerPlugins(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  await app.register(helmet, SECURITY_HEADERS);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'gatewarden guard-room API',
        version: VERSION,
        description: 'Lanes, passages, alerts, mode, manual release, visitor and exit passes. Errors are application/problem+json (RFC 9457).',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      // Relative: the document is served by the API it describes, on whatever address and scheme the installer chose.
      servers: [{ url: '/', description: 'this gateway' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API token (role guard, manager or auditor)' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(rateLimit, {
    global: true,
    max: deps.rateLimit.max,
    timeWindow: deps.rateLimit.windowMs,
    // Bounded memory: an LRU of this many clients.
    cache: 5000,
    // Before auth runs: a valid token's own budget, else the address's, so refused tokens are counted too.
    keyGenerator: (request) => rateLimitKey(request, deps.tokens),
    errorResponseBuilder: (_request, context) => ({ statusCode: 429, message: `rate limit of ${context.max} requests per ${context.after} exceeded` }),
  });
  // The plugin hooks each route, and route hooks run after the app's own: a
  // 401 from the auth hook would never be counted. Limited here first instead.
  const limit = app.rateLimit();
  app.addHook('onRequest', async function limitFirst(request, reply) {
    if (request.routeOptions.config.rateLimit === false) return;
    await limit.call(this, request, reply);
  });
}

function registerRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const alerts = new AlertQueries(deps.db, deps.reader);
  opsRoutes(app, deps);
  sessionRoutes(app);
  laneRoutes(app, deps);
  passageRoutes(app, deps);
  alertRoutes(app, deps, alerts);
  modeRoutes(app, deps);
  passRoutes(app, deps);
  auditRoutes(app, deps);
  traceRoutes(app, deps);
  eventRoutes(app, deps);
  staticRoutes(app);
  app.get('/openapi.json', { config: { auth: undefined }, schema: { hide: true } }, async () => app.swagger());
}
