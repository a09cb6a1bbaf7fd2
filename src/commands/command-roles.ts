import type { CommandName } from '../contract/command-schemas.js';
import type { CommandActor } from './types.js';

export type ActorRole = CommandActor['role'];

/**
 * Who may issue which command. The embedded broker's ACL lets a role publish
 * to `…/cmd/<name>` only for the names listed here, and the CommandService
 * checks the same table, so the broker and the service never disagree.
 * Guards run the gate (remote release, visitors) and may raise lockdown or
 * emergency-open on the spot; lifting a lockdown is for managers and the
 * district (estate plan, rule 9). Going out during lockdown needs the consent
 * of the local epidemic-control group (须经属地疫情防控领导小组同意, rule 4):
 * exit passes are the approver's alone, not the estate manager's, and the
 * approver may do nothing else.
 */
export const COMMAND_ROLES: Readonly<Record<CommandName, readonly ActorRole[]>> = {
  lockdown: ['guard', 'manager', 'district'],
  mode: ['guard', 'manager', 'district'],
  open: ['guard', 'manager'],
  roster: ['manager'],
  lists: ['manager', 'district'],
  'exit-pass': ['approver'],
  visitor: ['guard', 'manager'],
  'revoke-pass': ['guard', 'manager', 'approver'],
  policy: ['manager', 'district'],
  drill: ['manager', 'district'],
  // Backfill of the report stream is the district's (docs/district.md): it is the one that verifies it.
  resend: ['district'],
};

/** Roles that may set the mode back to `normal`. */
export const LIFT_ROLES: readonly ActorRole[] = ['manager', 'district'];

/** A pass is revoked by the roles that may issue it: a visitor pass by the gate staff, an exit pass by the approver. */
export const REVOKE_ROLES: Readonly<Record<'visitor' | 'exit', readonly ActorRole[]>> = {
  visitor: COMMAND_ROLES.visitor,
  exit: COMMAND_ROLES['exit-pass'],
};

export function mayIssue(role: ActorRole, name: CommandName): boolean {
  return COMMAND_ROLES[name].includes(role);
}
