import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { parse } from 'yaml';
import { REASON_CODES } from '../../core/reasons.js';
import { GatewardenError } from '../../errors.js';
import { StringEnum } from '../../schema/types.js';
import { makeValidator } from '../../schema/validate.js';

/** The moments the lane speaks (src/lane/announcements.ts derives them from the lane's steps). */
const CLIP_CUES = ['awaiting-code', 'fever-remeasure', 'decision', 'signal'] as const;

/** DFPlayer Mini manual §3.3: command 0x03 plays track 1–2999 of the card's root or /mp3 folder. */
const MAX_CLIP = 2999;

const Rule = Type.Object(
  {
    on: StringEnum(CLIP_CUES),
    verdict: Type.Optional(StringEnum(['grant', 'deny', 'refer'] as const)),
    signal: Type.Optional(StringEnum(['grant', 'deny', 'refer', 'busy'] as const)),
    /** Matches when the decision carries any of these reason codes. */
    reasons: Type.Optional(Type.Array(StringEnum(REASON_CODES), { minItems: 1 })),
    clip: Type.Integer({ minimum: 1, maximum: MAX_CLIP }),
  },
  { additionalProperties: false },
);

export const ClipCatalogueSchema = Type.Object(
  {
    language: Type.String({ minLength: 2 }),
    /** Clip number → what it says (the text espeak-ng renders, and the log shows). */
    clips: Type.Record(Type.String({ pattern: '^[1-9][0-9]{0,3}$' }), Type.String({ minLength: 1, maxLength: 200 })),
    rules: Type.Array(Rule, { minItems: 1 }),
  },
  { additionalProperties: false },
);

export type ClipCatalogue = Static<typeof ClipCatalogueSchema>;
export type ClipRule = Static<typeof Rule>;

/** One clip as a device plays it: its number on the module, and its words for the log. */
export interface Clip {
  number: number;
  text: string;
}

const validator = makeValidator(ClipCatalogueSchema);

/** The shipped catalogues sit beside the profiles, in `devices/clips/`. */
function cataloguePath(profilesDir: string, name: string): string {
  return join(profilesDir, 'clips', `${name}.yaml`);
}

/**
 * Reads and validates a clip catalogue; a problem is a start-up failure
 * (GW_PROFILE_INVALID, one `key.path: …` line per error), like a profile's.
 */
export function loadClipCatalogue(profilesDir: string, name: string): ClipCatalogue {
  const file = cataloguePath(profilesDir, name);
  let data: unknown;
  try {
    data = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new GatewardenError('GW_PROFILE_INVALID', `cannot read clip catalogue ${file}: ${(error as Error).message}`);
  }
  const errors = validator.check(data);
  if (errors.length === 0) errors.push(...checkCatalogue(data as ClipCatalogue));
  if (errors.length > 0) throw new GatewardenError('GW_PROFILE_INVALID', `${file}: ${errors.join('; ')}`, errors);
  return Object.freeze(data as ClipCatalogue);
}

/** What the schema cannot say: every rule names a clip the catalogue has, and clip numbers fit a module. */
export function checkCatalogue(catalogue: ClipCatalogue): string[] {
  const errors = Object.keys(catalogue.clips)
    .filter((key) => Number(key) > MAX_CLIP)
    .map((key) => `clips.${key}: expected a clip number of at most ${MAX_CLIP}`);
  catalogue.rules.forEach((rule, i) => {
    if (catalogue.clips[String(rule.clip)] === undefined) errors.push(`rules[${i}].clip: expected a number listed in clips, ${rule.clip} is not`);
  });
  return errors;
}

/** The clip a number names, or undefined when the catalogue has none. */
export function clipOf(catalogue: ClipCatalogue, number: number): Clip | undefined {
  const text = catalogue.clips[String(number)];
  return text === undefined ? undefined : { number, text };
}
