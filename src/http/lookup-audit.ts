import type { FastifyRequest } from 'fastify';
import { auditLookup, type Lookup } from '../store/lookup-audit.js';
import { principalOf } from './auth.js';
import type { HttpDeps } from './deps.js';
import { fail } from './problem.js';
import { Code } from '../errors.js';

/**
 * Audits a lookup of personal data by the request's principal before its
 * answer goes out; when the row cannot be written the lookup is refused
 * (503 GW_STORAGE): an unaudited lookup is never served (IEC 62443-4-2 CR 2.8).
 */
export function auditRequestLookup(deps: HttpDeps, request: FastifyRequest, lookup: Omit<Lookup, 'at' | 'via' | 'principal' | 'role'>): void {
  const principal = principalOf(request);
  try {
    auditLookup(deps.db, { ...lookup, at: deps.clock.now(), via: 'http', principal: principal.name, role: principal.role });
  } catch (error) {
    deps.log.error({ module: 'http', err: (error as Error).message, code: Code.GW_STORAGE, lookup: lookup.kind }, 'lookup refused: its audit row cannot be written');
    fail('GW_STORAGE', 'the lookup cannot be audited, so it is not served');
  }
}
