import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiPrincipal, TokenRegistry } from './api-tokens.js';
import { API_ROLES, type ApiRole } from '../core/roles.js';
import { fail } from './problem.js';
import type { CommandName } from '../contract/command-schemas.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `public` for the few routes open without a token; otherwise the roles allowed (all roles when absent). */
    auth?: 'public' | readonly ApiRole[];
    /** The command a write route runs (command-bridge.ts): a request refused before it ran is audited as that command. */
    command?: CommandName;
  }
  interface FastifyRequest {
    principal?: ApiPrincipal;
  }
}

/**
 * Who may read the gate's records (lanes, passages, alerts, the live feed):
 * every role but the approver, which needs none of them to approve an exit
 * pass (least privilege); EVERY_ROLE adds it for the session and the mode.
 * Who may act at the gate; who may manage; who approves exit passes.
 */
export const EVERY_ROLE: readonly ApiRole[] = API_ROLES;
export const ANY_ROLE: readonly ApiRole[] = API_ROLES.filter((role) => role !== 'approver');
export const GATE_STAFF: readonly ApiRole[] = ['guard', 'manager'];
export const MANAGERS: readonly ApiRole[] = ['manager'];
export const OVERSIGHT: readonly ApiRole[] = ['manager', 'auditor'];
/** The local epidemic-control group (须经属地疫情防控领导小组同意, estate plan rule 4). */
export const APPROVERS: readonly ApiRole[] = ['approver'];

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Deny by default: every route needs a bearer token with one of its roles,
 * unless the route says `auth: 'public'` (liveness and the page's static
 * files, which carry no data). [RFC 6750, 2.1] for the header, 3.1 for the codes.
 */
export function registerAuth(app: FastifyInstance, tokens: TokenRegistry): void {
  app.addHook('onRequest', async (request, reply) => {
    const auth = request.routeOptions.config.auth;
    if (auth === 'public') return;
    const principal = authenticate(request, tokens);
    if (!principal) {
      reply.header('www-authenticate', 'Bearer realm="gatewarden"');
      fail('GW_HTTP_UNAUTHORIZED', 'send an API token as "Authorization: Bearer <token>"');
    }
    // Known before the role check: a refused attempt is audited under the token that made it (refused-commands.ts).
    request.principal = principal;
    const roles = auth ?? ANY_ROLE;
    if (!roles.includes(principal.role)) {
      fail('GW_HTTP_FORBIDDEN', `role ${principal.role} may not use ${request.method} ${request.routeOptions.url ?? request.url}; allowed: ${roles.join(', ')}`);
    }
  });
}

function authenticate(request: FastifyRequest, tokens: TokenRegistry): ApiPrincipal | undefined {
  const match = BEARER.exec(request.headers.authorization ?? '');
  return match?.[1] === undefined ? undefined : tokens.verify(match[1]);
}

/**
 * The rate-limit bucket of a request: the token's principal when the token is
 * valid, else the address it came from. One holder's burst never spends
 * another's budget, and a flood of bad tokens is limited per address.
 */
export function rateLimitKey(request: FastifyRequest, tokens: TokenRegistry): string {
  const principal = authenticate(request, tokens);
  return principal ? `token:${principal.role}:${principal.name}` : `address:${request.ip}`;
}

/** The principal of an authenticated route; the hook above guarantees it. */
export function principalOf(request: FastifyRequest): ApiPrincipal {
  if (!request.principal) throw new Error(`route ${request.url} is public and has no principal`);
  return request.principal;
}
