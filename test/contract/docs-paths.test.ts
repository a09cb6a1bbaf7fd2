import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The docs name the files a newcomer opens (the design and the "where things
 * go" guide above all): every path they name must exist, so a move or a
 * rename that forgets them fails here instead of sending someone to a file
 * that is gone. A name ending in `-` or holding `*` or `<…>` is a pattern.
 */
const DOCS = ['README.md', ...readdirSync('docs').filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
const PATH = /(?:src|test|support|scripts|devices|docs|config)\/[A-Za-z0-9_./-]+/g;

function namedPaths(doc: string): string[] {
  const text = readFileSync(doc, 'utf8');
  return [...new Set([...text.matchAll(PATH)].map((match) => match[0].replace(/[.,;:]+$/, '')))]
    .filter((path) => !path.includes('<') && !path.includes('*') && !path.endsWith('-'))
    .map((path) => path.replace(/\/$/, ''));
}

describe('the docs name files that exist', () => {
  it.each(DOCS)('%s', (doc) => {
    const paths = namedPaths(doc);
    if (doc === 'docs/design.md' || doc === 'docs/contributing.md') expect(paths.length).toBeGreaterThan(5);
    expect(paths.filter((path) => !existsSync(path))).toEqual([]);
  });
});
