import { Type, type Static } from '@sinclair/typebox';
import { Envelope } from './payload-fields.js';

/** The payload of `…/cmd/<name>/reply` (and of the requester's own reply topic): the outcome of one command. */
export const ReplyPayload = Type.Object(
  {
    id: Type.String({ minLength: 1, description: 'the id of the command answered' }),
    ts: Envelope.ts,
    v: Envelope.v,
    ok: Type.Boolean(),
    error: Type.Optional(
      Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Array(Type.String())) }, { additionalProperties: false }),
    ),
    data: Type.Optional(Type.Unknown()),
    warnings: Type.Optional(Type.Array(Type.String(), { description: 'accepted, with something to check: a subject that matches no known person, an entry not on the list' })),
  },
  { additionalProperties: false },
);

export type ReplyMessage = Static<typeof ReplyPayload>;
