import { Type } from '@sinclair/typebox';
import { MODES } from '../core/mode.js';
import { REASON_CODES } from '../core/reasons.js';
import { StringEnum } from '../schema/types.js';
import { PAYLOAD_VERSION } from './payload-version.js';

/**
 * Fields shared by the payload schemas of the MQTT contract. The publisher
 * builds messages of these types and the contract tests validate every emitted
 * message against them. `v` is the schema version of the payload.
 */

export const Envelope = {
  id: Type.String({ minLength: 1, description: 'unique event id; consumers de-duplicate on it' }),
  ts: Type.String({ description: 'ISO 8601 time of the event' }),
  v: Type.Literal(PAYLOAD_VERSION),
};

/** The report stream's link (docs/district.md): contiguous seq per gateway, hash = SHA-256(prev ‖ canonical payload). */
export const Hex256 = (description: string) => Type.String({ pattern: '^[0-9a-f]{64}$', description });
export const Chain = {
  seq: Type.Integer({ minimum: 1, description: "the gateway's report sequence number: contiguous, no gaps (a shed range is named by a gap record)" }),
  prev: Hex256('hash of the report before, 64 zeros for the first'),
  hash: Hex256('SHA-256 of prev (32 bytes) followed by the canonical payload: this JSON without hash and prev, keys sorted, no whitespace, UTF-8'),
};
export const Signature = {
  kid: Type.String({ minLength: 1, description: 'id of the gateway key (gatewarden keys export-gateway)' }),
  sig: Type.String({ pattern: '^[A-Za-z0-9_-]{86}$', description: 'Ed25519 signature, base64url, of the canonical JSON without sig, hash and prev' }),
};

export const Reasons = Type.Array(StringEnum(REASON_CODES));
export const ModeName = StringEnum(MODES);
export const Count = Type.Integer({ minimum: 0 });
