import { readFileSync } from 'node:fs';
import { GatewardenError } from '../errors.js';
import { PassIssuer } from '../demo/pass-issuer.js';
import { existsSync } from 'node:fs';
import { generateEd25519, loadSecrets, type KeyPair } from '../secrets.js';

interface KeysOptions {
  kid?: string | undefined;
  key?: string | undefined;
  sub?: string | undefined;
  col?: string | undefined;
  hours?: string | undefined;
}

/** `gatewarden keys …`: key pairs for issuers and managers, and test passes signed with them. */
export function runKeys(action: string | undefined, options: KeysOptions, target?: string): string {
  switch (action) {
    case 'init': {
      if (!target) throw new GatewardenError('GW_COMMAND_INVALID', 'keys init needs the path of the secrets file to create');
      if (existsSync(target)) throw new GatewardenError('GW_COMMAND_INVALID', `${target} already exists; refusing to overwrite secrets`);
      loadSecrets(target, true, false);
      return `created ${target} (mode 0600): estate key and MQTT passwords`;
    }
    case 'generate':
      return JSON.stringify(generateEd25519(options.kid ?? 'issuer-1'), null, 2);
    case 'issue': {
      if (!options.key || !options.sub) throw new GatewardenError('GW_COMMAND_INVALID', 'keys issue needs --key FILE and --sub ID');
      const pair = JSON.parse(readFileSync(options.key, 'utf8')) as KeyPair;
      const colour = options.col ?? 'green';
      if (colour !== 'green' && colour !== 'yellow' && colour !== 'red') throw new GatewardenError('GW_COMMAND_INVALID', '--col: expected one of green, yellow, red');
      const nowS = Math.floor(Date.now() / 1000);
      const hours = Number(options.hours ?? '24');
      if (!Number.isFinite(hours) || hours <= 0) throw new GatewardenError('GW_COMMAND_INVALID', '--hours: expected a positive number');
      return new PassIssuer(pair.kid, pair.privateKey).issue({ sub: options.sub, col: colour, iat: nowS, exp: nowS + Math.round(hours * 3600) });
    }
    default:
      throw new GatewardenError('GW_COMMAND_INVALID', `keys: expected "init", "generate", "issue" or "hash-password", got ${JSON.stringify(action ?? '')}`);
  }
}
