import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { CommandName } from '../contract/command-schemas.js';
import type { CommandReply } from '../commands/types.js';
import { principalOf } from './auth.js';
import type { HttpDeps } from './deps.js';
import { fail, isErrorCode } from './problem.js';

/** Requests whose command reached the service, which audits it: the transport's own refusals are the others. */
export const reachedService = new WeakSet<FastifyRequest>();

/** `Idempotency-Key`: a retried request with the same key is applied once (the command id). */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._:-]{8,128}$', description: 'command id; a retry with the same key is applied once' })),
});

/** The request's `Idempotency-Key`, when it has one. */
export function idempotencyKey(request: FastifyRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  return typeof key === 'string' ? key : undefined;
}

/**
 * Runs a write as a command through the same CommandService as `…/cmd/<name>`
 * over MQTT: validated, authorized, applied, persisted and audited there.
 * The API token's name and role are the actor. A refusal becomes a problem
 * response carrying the command path's own error code.
 * The bridge calls the service in-process, never publishing over MQTT: the
 * request is already authenticated by its token, so `commands.requireSignature`
 * (which binds MQTT senders) does not refuse it, and the audit row names the
 * token (docs/security.md, "Commands").
 */
export async function runCommand(deps: HttpDeps, request: FastifyRequest, name: CommandName, body: Record<string, unknown>): Promise<unknown> {
  return (await runCommandReply(deps, request, name, body)).data;
}

/** As runCommand, with the whole accepted reply (its `warnings` too). */
export async function runCommandReply(deps: HttpDeps, request: FastifyRequest, name: CommandName, body: Record<string, unknown>): Promise<CommandReply> {
  if (!deps.commands) fail('GW_HTTP_UNAVAILABLE', 'the command service is not running on this gateway');
  const principal = principalOf(request);
  reachedService.add(request);
  const reply = await deps.commands.execute({
    name,
    id: idempotencyKey(request) ?? randomUUID(),
    body,
    actor: { via: 'http', principal: principal.name, role: principal.role },
    receivedAt: deps.clock.now(),
  });
  if (!reply.ok) {
    const code = reply.error && isErrorCode(reply.error.code) ? reply.error.code : 'GW_HTTP_INTERNAL';
    fail(code, reply.error?.message ?? `${name} refused`, reply.error?.details);
  }
  return reply;
}
