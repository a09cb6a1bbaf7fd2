import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { parse } from 'yaml';
import { REASON_CODES } from '../../src/core/reasons.js';
import { ALERT_TYPES } from '../../src/core/alerts.js';
import { StringEnum } from '../../src/schema/types.js';
import { makeValidator } from '../../src/schema/validate.js';

/**
 * A scenario timeline (scenarios/*.yaml): who is there, what they carry, and
 * what happens when, with what the gateway must decide and alert. Offsets are
 * from `start` on the simulated clock: `90s`, `5m`, `2h`, `1d`, `1d2h30m`.
 * See docs/rules.md, "Scenarios".
 */

const Offset = Type.String({ pattern: '^(\\d+d)?(\\d+h)?(\\d+m)?(\\d+s)?$', minLength: 2, description: 'offset from start: 1d2h30m15s' });
const Name = Type.String({ pattern: '^[a-z][a-z0-9-]*$', description: 'a person or vehicle of the scenario' });
const Reason = StringEnum(REASON_CODES);
const Alert = StringEnum(ALERT_TYPES);

const Person = Type.Union([
  Type.Object({ card: Type.String({ pattern: '^[0-9A-Fa-f]{8,20}$' }) }, { additionalProperties: false }),
  Type.Object(
    {
      pass: Type.Object(
        {
          /** The pass subject; default the person's name (two people may be one subject showing different passes). */
          subject: Type.Optional(Type.String({ minLength: 1 })),
          colour: Type.Optional(StringEnum(['green', 'yellow', 'red'] as const, { description: 'default green' })),
          origin: Type.Optional(Type.String({ pattern: '^\\d{6}$' })),
          testDaysAgo: Type.Optional(Type.Number({ minimum: 0 })),
          testResult: Type.Optional(StringEnum(['negative', 'positive'] as const)),
          /** Signed by a key the trust list does not hold. */
          forged: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  ),
  Type.Object({ visitor: Type.String({ minLength: 1, description: 'passId of a visitor command earlier in the timeline' }) }, { additionalProperties: false }),
  Type.Object({ plate: Type.String({ minLength: 5 }) }, { additionalProperties: false }),
  Type.Object({ code: Type.String({ minLength: 1, description: 'raw scanner text' }) }, { additionalProperties: false }),
]);

const PassageExpectation = Type.Object(
  {
    verdict: StringEnum(['grant', 'deny', 'refer'] as const),
    reasons: Type.Optional(Type.Array(Reason)),
    alerts: Type.Optional(Type.Array(Alert, { description: 'exactly the alert types this passage raised' })),
    drill: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const Base = { at: Offset, note: Type.Optional(Type.String()) };

const ScanStep = Type.Object(
  {
    ...Base,
    scan: Name,
    /**
     * A second code shown within the pairing window: the health pass after a card, a visitor pass or a plate.
     * On a vehicle lane with a window scanner (`devices.codeScanner`) it is scanned there.
     */
    then: Type.Optional(Name),
    lane: Type.Optional(Type.String({ pattern: '^[a-z0-9-]+/[a-z0-9-]+$', description: 'gate/lane, default main/in' })),
    /**
     * What each measurement reads: one value (every time), a sequence (re-measures), `none` (nobody in front of
     * the thermometer); `none` inside a sequence means the person walked off. Default 36.5.
     */
    temperature: Type.Optional(Type.Union([Type.Number(), Type.Array(Type.Union([Type.Number(), Type.Literal('none')]), { minItems: 1 }), Type.Literal('none')])),
    /** Whether the person walks through after a grant (the passage sensor sees them); default true. */
    walk: Type.Optional(Type.Boolean()),
    expect: PassageExpectation,
  },
  { additionalProperties: false },
);

const CommandStep = Type.Object(
  {
    ...Base,
    command: StringEnum(['lockdown', 'mode', 'open', 'roster', 'lists', 'exit-pass', 'visitor', 'revoke-pass', 'policy', 'drill'] as const),
    body: Type.Record(Type.String(), Type.Unknown()),
    expect: Type.Optional(
      Type.Object(
        {
          ok: Type.Boolean(),
          error: Type.Optional(Type.String()),
          /** A subset the reply's data must contain. */
          data: Type.Optional(Type.Unknown()),
          alerts: Type.Optional(Type.Array(Alert, { description: 'alert types the command must raise' })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const CheckStep = Type.Object(
  {
    ...Base,
    check: StringEnum(['exit-passes', 'lists', 'stats'] as const, { description: 'run a periodic checker or the stats report (since start) now' }),
    expect: Type.Object(
      {
        alerts: Type.Optional(Type.Array(Alert, { description: 'exactly the alert types the check raised' })),
        stats: Type.Optional(Type.Unknown({ description: 'a subset of the per-gate counts the …/stats message carries' })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

const TraceStep = Type.Object(
  {
    ...Base,
    trace: Name,
    from: Offset,
    to: Offset,
    windowMinutes: Type.Optional(Type.Number({ minimum: 0, description: 'default 5' })),
    expect: Type.Object(
      {
        trail: Type.Integer({ minimum: 0, description: 'number of passages on the trail' }),
        gates: Type.Optional(Type.Array(Type.String())),
        contacts: Type.Array(Name, { description: 'exactly these, in rank order' }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const TimelineSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    /** Estate-plan rules (docs/design.md) this scenario shows. */
    rules: Type.Array(Type.Integer({ minimum: 1, maximum: 9 }), { minItems: 1 }),
    description: Type.Optional(Type.String()),
    start: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2})?(Z|[+-]\\d{2}:\\d{2})$' }),
    /** Merged over the scenario gateway's config (policy, roster, trust, …). */
    config: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    people: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9-]*$' }), Person),
    /** Each step is checked against the schema its key names (scan, command, check, trace), for plain errors. */
    steps: Type.Array(Type.Record(Type.String(), Type.Unknown()), { minItems: 1 }),
  },
  { additionalProperties: false },
);

export type ScanStep = Static<typeof ScanStep>;
export type CommandStep = Static<typeof CommandStep>;
export type CheckStep = Static<typeof CheckStep>;
export type TraceStep = Static<typeof TraceStep>;
export type Step = ScanStep | CommandStep | CheckStep | TraceStep;
export type Timeline = Omit<Static<typeof TimelineSchema>, 'steps'> & { steps: Step[] };
export type PersonSpec = Timeline['people'][string];

const validator = makeValidator(TimelineSchema);
const personValidators = { card: Person.anyOf[0], pass: Person.anyOf[1], visitor: Person.anyOf[2], plate: Person.anyOf[3], code: Person.anyOf[4] };
const stepValidators = { scan: makeValidator(ScanStep), command: makeValidator(CommandStep), check: makeValidator(CheckStep), trace: makeValidator(TraceStep) };
const personCheckers = Object.fromEntries(Object.entries(personValidators).map(([key, schema]) => [key, makeValidator(schema)]));

/** Reads and checks a timeline file; every problem is reported as `file: key.path: expected …`. */
export function loadTimeline(path: string): Timeline {
  let value: unknown;
  try {
    value = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: not readable YAML: ${(error as Error).message}`, { cause: error });
  }
  const errors = validator.check(value).filter((error) => !error.startsWith('people.'));
  const timeline = value as Timeline;
  if (errors.length === 0) errors.push(...checkParts(timeline));
  if (errors.length === 0) errors.push(...crossCheck(timeline));
  if (errors.length > 0) throw new Error(`${path} is not a valid timeline:\n  ${errors.slice(0, 20).join('\n  ')}`);
  return timeline;
}

/** People and steps by their discriminating key, so an error names what is wrong rather than every union branch. */
function checkParts(timeline: Timeline): string[] {
  const prefixed = (path: string, errors: string[]) => errors.map((error) => (error.startsWith('(root)') ? `${path}${error.slice(6)}` : `${path}.${error}`));
  const people = Object.entries(timeline.people as Record<string, unknown>).flatMap(([name, person]) => {
    const key = Object.keys(person ?? {}).find((k) => k in personCheckers);
    const checker = key === undefined ? undefined : personCheckers[key];
    return checker ? prefixed(`people.${name}`, checker.check(person)) : [`people.${name}: expected one of card, pass, visitor, plate, code`];
  });
  const steps = (timeline.steps as unknown as Array<Record<string, unknown>>).flatMap((step, i) => {
    const key = (Object.keys(stepValidators) as Array<keyof typeof stepValidators>).find((k) => k in step);
    return key ? prefixed(`steps[${i}]`, stepValidators[key].check(step)) : [`steps[${i}]: expected one of scan, command, check, trace`];
  });
  return [...people, ...steps];
}

function crossCheck(timeline: Timeline): string[] {
  const errors: string[] = [];
  let previous = -1;
  timeline.steps.forEach((step, i) => {
    const at = offsetMs(step.at);
    if (at < previous) errors.push(`steps[${i}].at: expected a time not before the previous step`);
    previous = at;
    const who = 'scan' in step ? [step.scan, ...(step.then === undefined ? [] : [step.then])] : 'trace' in step ? [step.trace] : [];
    for (const name of who) if (!(name in timeline.people)) errors.push(`steps[${i}]: unknown person ${name}`);
  });
  return errors;
}

const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };

export function offsetMs(offset: string): number {
  return [...offset.matchAll(/(\d+)([dhms])/g)].reduce((sum, [, n, unit]) => sum + Number(n) * (UNIT_MS[unit as string] as number), 0);
}
