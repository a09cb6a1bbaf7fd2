import { playScenario, type ScenarioResult } from '../../support/scenario/player.js';

/**
 * `npm run scenario -- scenarios/x.yaml [more.yaml …]`: plays each timeline
 * through a fresh gateway and prints every step with what did not match.
 * Exit code 1 when any step failed, 2 when a file is not a valid timeline.
 */
async function main(files: string[]): Promise<number> {
  if (files.length === 0) {
    process.stderr.write('usage: npm run scenario -- scenarios/<name>.yaml [...]\n');
    return 2;
  }
  let code = 0;
  for (const file of files) {
    let result: ScenarioResult;
    try {
      result = await playScenario(file);
    } catch (error) {
      const details = (error as { details?: string[] }).details ?? [];
      process.stderr.write(`${[(error as Error).message, ...details].join('\n  ')}\n`);
      code = 2;
      continue;
    }
    process.stdout.write(`${result.ok ? 'PASS' : 'FAIL'} ${result.name} (${file}; estate plan rules ${result.rules.join(', ')})\n`);
    for (const step of result.steps) {
      process.stdout.write(`  ${step.problems.length === 0 ? 'ok  ' : 'FAIL'} +${step.at.padEnd(8)} ${step.what}\n`);
      for (const problem of step.problems) process.stdout.write(`         ${problem}\n`);
    }
    if (!result.ok && code === 0) code = 1;
  }
  return code;
}

process.exitCode = await main(process.argv.slice(2));
