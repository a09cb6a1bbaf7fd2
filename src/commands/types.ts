import type { CommandName } from '../contract/command-schemas.js';
import type { Role } from '../core/roles.js';

/**
 * Commands change the gateway's behaviour: lockdown, mode, remote open,
 * rosters, lists, passes and their revocation, policy, drills. MQTT (`…/cmd/<name>`) and the HTTP
 * API both go through one CommandService, so a lockdown switched from the
 * guard-room page and one sent by a manager over MQTT are the same code path,
 * validated, authorized, applied, persisted and audited the same way.
 */

/** Who sent the command, as established by the transport (broker login, API token). */
export interface CommandActor {
  via: 'mqtt' | 'http' | 'cli';
  /** MQTT user name or API token name. */
  principal: string;
  role: Role;
}

export interface CommandRequest {
  name: CommandName;
  /** Unique id chosen by the sender; a command is idempotent by it. */
  id: string;
  body: unknown;
  actor: CommandActor;
  receivedAt: number;
}

export interface CommandReply {
  id: string;
  ok: boolean;
  /** Stable error code when refused, for example `GW_COMMAND_INVALID`. */
  error?: { code: string; message: string; details?: string[] };
  /** What the command produced (a visitor pass, the new mode, …). */
  data?: unknown;
  /** Accepted, but something the sender should look at (a subject that matches no known person, an entry not on the list). */
  warnings?: string[];
}

export interface CommandService {
  execute(request: CommandRequest): Promise<CommandReply>;
  /** The reply of the command accepted under `id`, as stored (a visitor's code as its digest only); undefined when none was. */
  acceptedReply(id: string): CommandReply | undefined;
  /**
   * Audits a command its transport refused before the service saw it (an HTTP route's role or schema check), so
   * the trail shows every refused attempt, not only those the service judged.
   */
  auditRefused(request: CommandRequest, error: { code: string; message: string }): void;
}
