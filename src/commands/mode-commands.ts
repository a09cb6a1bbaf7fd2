import { modeLosses, sameTerms, type Mode, type ModeLoss } from '../core/mode.js';
import { ESTATE_SCOPE, type ScopedMode } from '../estate/estate-state.js';
import { millis, notApplicable, type Applied, type ApplyContext, type ApplyDeps } from './applier.js';
import { LIFT_ROLES, type ActorRole } from './command-roles.js';
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
  const active = deps.estate.activeModes();
  const replaced = scopes.flatMap((scope) => {
    const current = active.get(scope);
    return current ? [{ scope, current }] : [];
  });
  if (!LIFT_ROLES.includes(ctx.role)) {
    const refused = refuseWeakening(ctx.role, replaced, state);
    if (refused) return refused;
  }
  return {
    ok: true,
    data: { mode, scopes },
    warnings: replaced.map(({ scope, current }) => `${scope}: was ${describe(current)}`),
    write: () => deps.modes.write(scopes, state, ctx.commandId),
    effect: () => deps.modes.apply(scopes, state),
  };
}

/**
 * A role that may not lift a mode may not weaken one either by setting a mode over it (found from outside: a guard's
 * lockdown expiring in 12 s replaced a manager's, which so ended 12 s later; one marked a drill let the manager's next
 * drill go unenforced). Over a mode in force it may only set one that lasts as long or longer and is as real; the same
 * terms again change only who set it and why, so they are refused too, and the one in force keeps its author.
 */
function refuseWeakening(role: ActorRole, replaced: ReadonlyArray<{ scope: string; current: ScopedMode }>, next: ScopedMode): Applied | undefined {
  const weakened = replaced.flatMap(({ scope, current }) => modeLosses(current, next).map((loss) => ({ scope, current, loss })));
  if (weakened.length > 0) {
    const modes = [...new Set(weakened.map(({ current }) => current.mode))].join(' and ');
    return {
      ok: false,
      code: 'GW_COMMAND_UNAUTHORIZED',
      message: `role ${role} may not weaken the ${modes} in force: only ${LIFT_ROLES.join(', ')} may end it sooner or make it a drill`,
      details: weakened.map(({ scope, current, loss }) => `${scope}: ${loss}: ${LOSS_DETAIL[loss](current)}`),
    };
  }
  const same = replaced.filter(({ current }) => sameTerms(current, next));
  const [first] = same;
  if (!first) return undefined;
  return notApplicable(`${first.scope} is already in ${describe(first.current)}: nothing to change`, same.map(({ scope, current }) => `${scope}: already in ${current.mode} on the same terms`));
}

const LOSS_DETAIL: Record<ModeLoss, (current: ScopedMode) => string> = {
  expiresAt: (current) =>
    current.expiresAt === null
      ? `the ${author(current)} runs until lifted; leave expiresAt out`
      : `the ${author(current)} runs until ${new Date(current.expiresAt).toISOString()}; expected that time or later`,
  drill: (current) => `the ${author(current)} is real; expected false`,
};

function author(state: ScopedMode): string {
  return `${state.mode} by ${state.by} (${state.reason})`;
}

function describe(state: ScopedMode): string {
  const until = state.expiresAt === null ? 'until lifted' : `until ${new Date(state.expiresAt).toISOString()}`;
  return `${author(state)} since ${new Date(state.since).toISOString()}, ${until}, ${state.drill ? 'a drill' : 'real'}`;
}

/** `open`: the lane records a MANUAL_RELEASE passage, then releases; a busy lane is refused. */
export function applyOpen(body: CommandBodies['open'], deps: ApplyDeps, ctx: ApplyContext): Applied {
  const lane = deps.lanes.get(`${body.gate}/${body.lane}`);
  if (!lane) return notApplicable(`unknown lane ${body.gate}/${body.lane}`);
  const result = lane.manualRelease(body.reason, `${body.by} (${ctx.principal})`);
  if (!result.ok) return notApplicable(`lane ${lane.id} is ${result.phase}; try again when it is idle`);
  return { ok: true, data: { passageId: result.passageId } };
}
