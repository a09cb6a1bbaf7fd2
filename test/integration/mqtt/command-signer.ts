import { generateKeyPairSync, sign } from 'node:crypto';
import { signedBytes } from '../../../src/commands/signature.js';

/** A manager's (or the district's) signing key, as `commands.keys` names it. */
export interface CommandSigner {
  kid: string;
  role: 'manager' | 'approver' | 'district';
  /** Raw 32-byte Ed25519 public key, base64url: the config form. */
  publicKey: string;
  /** Adds `kid` and `sig` (Ed25519 over the canonical JSON without `sig`, docs/mqtt.md "Signatures"). */
  sign<T extends Record<string, unknown>>(body: T): T & { kid: string; sig: string };
}

export function createCommandSigner(kid: string, role: CommandSigner['role'] = 'manager'): CommandSigner {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    kid,
    role,
    publicKey: publicKey.export({ format: 'jwk' }).x as string,
    sign(body) {
      const unsigned = { ...body, kid };
      return { ...unsigned, sig: sign(null, signedBytes(unsigned), privateKey).toString('base64url') };
    },
  };
}
