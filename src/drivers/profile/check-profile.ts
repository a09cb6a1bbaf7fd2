import { checkAnnouncer } from './announcer-schema.js';
import type { DeviceProfile } from './profile-schema.js';

/**
 * What the schema cannot say: which sections a role needs on a transport, and
 * whether the expressions and names inside them make sense. Errors read
 * `key.path: …` like the schema's own.
 */
export function checkProfile(profile: DeviceProfile): string[] {
  const errors: string[] = [];
  const need = (section: keyof DeviceProfile, why: string) => {
    if (profile[section] === undefined) errors.push(`${section}: required key is missing (${why})`);
  };
  const modbus = profile.transport.kind === 'modbus-rtu' || profile.transport.kind === 'modbus-tcp';
  const usage = `${profile.role} over ${profile.transport.kind}`;
  const lineOnly = profile.role === 'scanner' || profile.role === 'plate-reader';
  if ((lineOnly && modbus) || (profile.role === 'indicator' && !modbus)) {
    errors.push(`transport.kind: ${profile.role} is not supported over ${profile.transport.kind}`);
  }
  if (profile.transport.kind === 'serial-line' && profile.role !== 'announcer') need('framing', usage);
  if (profile.role === 'thermometer') {
    need('plausible', usage);
    if (modbus) need('reading', usage);
    if (modbus) need('trigger', usage);
    if (modbus && profile.trigger?.mode === 'push') errors.push('trigger.mode: a Modbus thermometer cannot push; use poll or on-demand');
  }
  if (profile.role === 'barrier') need(modbus ? 'relay' : 'actions', usage);
  if (profile.role === 'indicator') need('indicator', usage);
  errors.push(...checkAnnouncer(profile.role, profile.transport.kind, profile.announcer));
  if (profile.plausible && profile.plausible.min >= profile.plausible.max) errors.push('plausible.min: expected less than plausible.max');
  errors.push(...checkFraming(profile), ...checkExpressions(profile), ...checkIndicator(profile));
  return errors;
}

function checkFraming(profile: DeviceProfile): string[] {
  const framing = profile.framing;
  if (!framing) return [];
  if (framing.kind === 'regex') return framing.pattern ? [] : ['framing.pattern: required key is missing (regex framing)'];
  const terminators = Number(framing.terminator !== undefined) + Number(framing.terminatorByte !== undefined);
  return terminators === 1 ? [] : ['framing.terminator: expected exactly one of terminator, terminatorByte'];
}

function checkExpressions(profile: DeviceProfile): string[] {
  const expressions: [string, string | undefined][] = [
    ['framing.pattern', profile.framing?.pattern],
    ['framing.match', profile.framing?.match],
    ['actions.ack', profile.actions?.ack],
    ['actions.nack', profile.actions?.nack],
    ['actions.passage', profile.actions?.passage],
  ];
  return expressions.flatMap(([path, source]) => {
    if (source === undefined) return [];
    try {
      new RegExp(source);
      return [];
    } catch (error) {
      return [`${path}: expected a regular expression (${(error as Error).message})`];
    }
  });
}

function checkIndicator(profile: DeviceProfile): string[] {
  const indicator = profile.indicator;
  if (!indicator) return [];
  return Object.entries(indicator.signals).flatMap(([signal, outputs]) =>
    outputs.filter((name) => !(name in indicator.outputs)).map((name) => `indicator.signals.${signal}: unknown output ${JSON.stringify(name)}`),
  );
}
