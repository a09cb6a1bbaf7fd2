import type { Mode } from '../core/mode.js';
import { ESTATE_SCOPE, type ScopedMode } from '../estate/estate-state.js';
import { millis, notApplicable, type Applied, type ApplyContext, type ApplyDeps } from './applier.js';
import { LIFT_ROLES } from './command-roles.js';
import type { CommandBodies } from '../contract/command-schemas.js';

/** `lockdown` and `mode`: persisted per scope, then applied to every lane at once. */
export function applyMode(mode: Mode, body: CommandBodies['lockdown'], deps: ApplyDeps, ctx: ApplyContext): Applied {
  const known = new Set([...deps.lanes.values()].map((lane) => lane.id.split('/')[0] ?? lane.id));
  const unknown = (body.gates ?? []).filter((gate) => !known.has(gate));
  if (unknown.length > 0) return notApplicable(`unknown gate ${unknown.join(', ')}`, unknown.map((gate) => `gates: "${gate}" is not a configured gate`));
  // Estate plan, rule 9: lockdown ends when the district CDC declares it over, not at a guard's word.
  if (mode === 'normal' && !LIFT_ROLES.includes(ctx.role)) {
    return { ok: false, code: 'GW_COMMAND_UNAUTHORIZED', message: `role ${ctx.role} may not return to normal mode` };
  }
  const expiresAt = body.expiresAt === undefined ? null : millis(body.expiresAt);
  if (expiresAt !== null && expiresAt <= ctx.at) return notApplicable('expiresAt is in the past', ['expiresAt: expected a time in the future']);
  const state: ScopedMode = { mode, reason: body.reason, by: body.by, since: ctx.at, expiresAt, drill: body.drill ?? false };
  // Back to normal for the whole estate clears every gate's own mode too (found from outside: a lift without gates
  // answered ok and left a gate in lockdown). Any other mode without gates is the estate's.
  const scopes = body.gates ?? (mode === 'normal' ? [ESTATE_SCOPE, ...known] : [ESTATE_SCOPE]);
  return {
    ok: true,
    data: { mode, scopes },
    write: () => deps.modes.write(scopes, state, ctx.commandId),
    effect: () => deps.modes.apply(scopes, state),
  };
}

/** `open`: the lane records a MANUAL_RELEASE passage, then releases; a busy lane is refused. */
export function applyOpen(body: CommandBodies['open'], deps: ApplyDeps, ctx: ApplyContext): Applied {
  const lane = deps.lanes.get(`${body.gate}/${body.lane}`);
  if (!lane) return notApplicable(`unknown lane ${body.gate}/${body.lane}`);
  const result = lane.manualRelease(body.reason, `${body.by} (${ctx.principal})`);
  if (!result.ok) return notApplicable(`lane ${lane.id} is ${result.phase}; try again when it is idle`);
  return { ok: true, data: { passageId: result.passageId } };
}
