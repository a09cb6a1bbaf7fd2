import type { CommandActor, CommandName } from './types.js';

export type ActorRole = CommandActor['role'];

/**
 * Who may issue which command. The embedded broker's ACL lets a role publish
 * to `…/cmd/<name>` only for the names listed here, and the CommandService
 * checks the same table, so the broker and the service never disagree.
 * Guards run the gate (remote release, visitors) and may raise lockdown or
 * emergency-open on the spot; lifting a lockdown is for managers and the
 * district (estate plan, rule 9).
 */
export const COMMAND_ROLES: Readonly<Record<CommandName, readonly ActorRole[]>> = {
  lockdown: ['guard', 'manager', 'district'],
  mode: ['guard', 'manager', 'district'],
  open: ['guard', 'manager'],
  roster: ['manager'],
  lists: ['manager', 'district'],
  'exit-pass': ['manager'],
  visitor: ['guard', 'manager'],
  policy: ['manager', 'district'],
  drill: ['manager', 'district'],
};

/** Roles that may set the mode back to `normal`. */
export const LIFT_ROLES: readonly ActorRole[] = ['manager', 'district'];

export function mayIssue(role: ActorRole, name: CommandName): boolean {
  return COMMAND_ROLES[name].includes(role);
}
