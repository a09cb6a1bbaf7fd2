import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { expectedContractFiles } from '../../support/contract/contract-files.js';

/**
 * `npm run contract [-- --check]`: regenerates docs/asyncapi.yaml and the topic
 * reference in docs/mqtt.md from the contract in code (src/contract/channels.ts).
 * With --check it changes nothing and exits 1 when either file is out of date.
 */
const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
const stale: string[] = [];
for (const [path, text] of Object.entries(expectedContractFiles())) {
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    // A missing file is simply out of date.
  }
  if (current === text) continue;
  stale.push(path);
  if (!values.check) writeFileSync(path, text);
}
if (values.check && stale.length > 0) {
  process.stderr.write(`out of date with src/contract/channels.ts: ${stale.join(', ')}; run npm run contract\n`);
  process.exit(1);
}
process.stdout.write(stale.length > 0 ? `${values.check ? 'stale' : 'written'}: ${stale.join(', ')}\n` : 'contract docs up to date\n');
