import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '../../schema/types.js';

/**
 * A UART voice module (DFPlayer Mini or JQ8900 style) that plays numbered clips
 * from its own flash or SD card. One framing scheme per protocol, in
 * src/drivers/announcer/announcer-frames.ts.
 */
const ModuleSchema = Type.Object(
  {
    protocol: StringEnum(['dfplayer', 'jq8900'] as const),
    /** DFPlayer only: send the two checksum bytes (the module accepts frames with or without them). */
    checksum: Type.Boolean({ default: true }),
    /** Volume set when the port opens (DFPlayer 0–30, JQ8900 0–30). */
    volume: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 })),
  },
  { additionalProperties: false },
);

/** Local playback of pre-rendered clips (`<clipsDir>/<NNNN>.wav`) by a player program such as aplay. */
const PlayerSchema = Type.Object(
  {
    command: Type.String({ minLength: 1, default: 'aplay' }),
    /** `{file}` is replaced by the clip's path. */
    args: Type.Array(Type.String(), { default: ['-q', '{file}'] }),
    clipsDir: Type.String({ minLength: 1, default: './data/clips' }),
    /** Clips waiting while one plays; a new clip beyond this drops the oldest waiting one (latest wins). */
    queueLength: Type.Integer({ minimum: 1, maximum: 8, default: 1 }),
    /** A new clip cuts the one playing short: the lane has moved on. */
    interrupt: Type.Boolean({ default: true }),
    /** A player still running after this long is killed (a hung sound card). */
    maxClipMs: Type.Integer({ minimum: 500, maximum: 60_000, default: 10_000 }),
  },
  { additionalProperties: false },
);

/** The announcer section: the clip catalogue it speaks from, and how it plays a clip. */
export const AnnouncerSchema = Type.Object(
  {
    /** Name of the clip catalogue in `devices/clips/` (numbers, texts and when each is said). */
    catalogue: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$', default: 'announcer-clips' }),
    module: Type.Optional(ModuleSchema),
    player: Type.Optional(PlayerSchema),
  },
  { additionalProperties: false },
);

export type AnnouncerSpec = Static<typeof AnnouncerSchema>;
export type ModuleSpec = Static<typeof ModuleSchema>;
export type PlayerSpec = Static<typeof PlayerSchema>;

/** Which announcer section goes with which transport; errors read `key.path: …` like the schema's. */
export function checkAnnouncer(role: string, transport: string, announcer: AnnouncerSpec | undefined): string[] {
  if (role !== 'announcer') return transport === 'local' ? [`transport.kind: ${role} is not supported over local`] : [];
  if (!announcer) return ['announcer: required key is missing (announcer)'];
  if (transport === 'serial-line') return announcer.module ? [] : ['announcer.module: required key is missing (announcer over serial-line)'];
  if (transport === 'local') return announcer.player ? [] : ['announcer.player: required key is missing (announcer over local)'];
  return [`transport.kind: announcer is not supported over ${transport}`];
}
