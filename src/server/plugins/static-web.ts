/**
 * Serves the console SPA (web/dist, built by `npm run build:web`) at `/`: hashed assets with long caching,
 * `index.html` for every other GET that is not an API path (client-side routing), JSON 404s kept for `/api`,
 * `/wapi`, `/console/api` and `/docs`. HTML answers carry a strict Content-Security-Policy (scripts, styles and
 * connections from this origin only, no framing), which is what keeps an injected string from ever running as
 * script in the page that shows API secrets.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

import { AppError } from '../../errors.ts';

export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../web/dist', import.meta.url));

const API_PREFIXES = ['/api/', '/wapi/', '/console/api/', '/docs/'];

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

function isApiPath(path: string): boolean {
  return API_PREFIXES.some((prefix) => path === prefix.slice(0, -1) || path.startsWith(prefix));
}

export async function staticWeb(app: FastifyInstance, options: { root?: string } = {}): Promise<void> {
  const root = options.root ?? DEFAULT_WEB_ROOT;
  const built = existsSync(`${root}/index.html`);

  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    return payload;
  });

  if (built) {
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      wildcard: false,
      // Our own Cache-Control below: hashed assets forever, everything else revalidated.
      cacheControl: false,
      index: false,
      setHeaders: (res, path) => {
        res.setHeader(
          'Cache-Control',
          path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
  }

  const sendIndex = (reply: FastifyReply): FastifyReply => {
    if (!built) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The console is not built. Run `npm run build:web` (npm install does it), then restart.');
    }
    return reply.header('Cache-Control', 'no-cache').sendFile('index.html');
  };

  app.get('/', { schema: { hide: true } }, async (_request, reply) => sendIndex(reply));
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    // API paths keep their JSON 404; so do file-like paths (a missing asset is not a page).
    if (/^\/w?api\/v1(\/|$)/.test(path)) {
      // A Backpack path Signet does not serve: 501, as in the not-found handler (error-handler.ts).
      throw new AppError('NOT_IMPLEMENTED', `Not implemented by this server: ${request.method} ${path}`);
    }
    if (isApiPath(path) || /\.[a-z0-9]+$/i.test(path)) {
      throw new AppError('RESOURCE_NOT_FOUND', `Not found: ${request.method} ${path}`);
    }
    return sendIndex(reply);
  });
}
