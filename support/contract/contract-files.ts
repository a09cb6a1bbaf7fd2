import { readFileSync } from 'node:fs';
import { renderAsyncApi } from './render-asyncapi.js';
import { spliceReference } from './render-reference.js';

/** The docs generated from the contract in code (src/contract/channels.ts): `npm run contract` writes them, a test checks them. */
export const CONTRACT_FILES = { asyncapi: 'docs/asyncapi.yaml', reference: 'docs/mqtt.md' } as const;

export function expectedContractFiles(): Record<string, string> {
  return {
    [CONTRACT_FILES.asyncapi]: renderAsyncApi(),
    [CONTRACT_FILES.reference]: spliceReference(readFileSync(CONTRACT_FILES.reference, 'utf8')),
  };
}
