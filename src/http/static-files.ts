import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { REASONS } from '../core/reasons.js';
import { LABELS } from '../core/labels.js';

/**
 * The guard-room page: plain HTML, CSS and JS, no bundler. Files are read once
 * at start from a fixed list (no path from a request ever reaches the file
 * system). They carry no data, so they are served without a token; every
 * data call of the page needs one.
 */
const FILES: Record<string, string> = {
  '/': 'index.html',
  '/app.js': 'app.js',
  '/app.css': 'app.css',
  '/i18n.js': 'i18n.js',
  '/api.js': 'api.js',
  '/ui.js': 'ui.js',
  '/lanes.js': 'lanes.js',
  '/alerts.js': 'alerts.js',
  '/forms.js': 'forms.js',
  '/chart.js': 'chart.js',
  '/exit-passes.js': 'exit-passes.js',
};

const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

/** Next to this module: in src/ when run from source, in dist/ where `npm run build` copies it. */
function publicDir(): string {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'public');
  if (!existsSync(join(dir, 'index.html'))) throw new Error(`guard-room page not found in ${dir}; run npm run build`);
  return dir;
}

export function staticRoutes(app: FastifyInstance): void {
  const dir = publicDir();
  for (const [url, file] of Object.entries(FILES)) {
    const body = readFileSync(join(dir, file));
    const type = TYPES[file.split('.').pop() ?? ''] ?? 'application/octet-stream';
    app.get(url, { config: { auth: 'public' }, schema: { hide: true } }, async (_request, reply) => reply.type(type).header('cache-control', 'no-cache').send(body));
  }
  const labels = JSON.stringify({ ...LABELS, fallback: REASONS });
  app.get('/labels.json', { config: { auth: 'public' }, schema: { hide: true } }, async (_request, reply) => reply.type('application/json; charset=utf-8').send(labels));
}
