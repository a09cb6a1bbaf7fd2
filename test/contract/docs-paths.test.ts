import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The design and the "where things go" guide name the files a newcomer opens:
 * every path they name must exist, so a move or a rename that forgets them
 * fails here instead of sending someone to a file that is gone.
 */
const DOCS = ['docs/design.md', 'docs/contributing.md'];
const PATH = /(?:src|test|support|scripts|devices|docs|config)\/[A-Za-z0-9_./-]+/g;

function namedPaths(doc: string): string[] {
  const text = readFileSync(doc, 'utf8');
  return [...new Set([...text.matchAll(PATH)].map((match) => match[0].replace(/[.,;:]+$/, '')))]
    .filter((path) => !path.includes('<') && !path.includes('*'))
    .map((path) => path.replace(/\/$/, ''));
}

describe('the docs name files that exist', () => {
  it.each(DOCS)('%s', (doc) => {
    const paths = namedPaths(doc);
    expect(paths.length).toBeGreaterThan(5);
    expect(paths.filter((path) => !existsSync(path))).toEqual([]);
  });
});
