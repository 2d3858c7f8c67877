/**
 * OpenAPI 3 generated from the route schemas (`@fastify/swagger`), served at `/docs/openapi.json`, with a
 * browsable page at `/docs` (`@fastify/swagger-ui`, assets shipped inside the npm package, no CDN), themed dark
 * like the console with a bar back to it (a theme stylesheet and script served by the plugin from 'self').
 * Beside it, the pages people read (protocol-guide-page.ts): the signing guide, the error table and the vectors'
 * provenance, plus the vectors themselves. Registered before the routes so it sees every one of them.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyReply } from 'fastify';

import { PROTOCOL_GUIDE_CSP, renderDocPage, renderProtocolGuide } from '../protocol-guide-page.ts';

const repoFile = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const PROTOCOL_GUIDE = repoFile('docs/PROTOCOL.md');
const ERROR_TABLE = repoFile('docs/ERRORS.md');
/** More pages of docs/ the served pages link to: path served, title, file. */
const GUIDES: ReadonlyArray<[string, string, string]> = [
  ['/docs/gateway', 'Gateway', 'docs/GATEWAY.md'],
  ['/docs/deploy', 'Deploying', 'docs/DEPLOY.md'],
];
const VECTORS = repoFile('test/vectors/vectors.json');
const VECTORS_README = repoFile('test/vectors/README.md');

/** Swagger UI in the console's colours: its light page inverted (code blocks and images inverted back). */
const SWAGGER_THEME_CSS = `
html, body { background: #0e0f14; margin: 0; }
/* #fff inverted is #000: a shade under the console's background, so the page reads as one surface. */
#swagger-ui { padding-bottom: 2rem; }
#swagger-ui { filter: invert(1) hue-rotate(180deg); background: #fff; }
#swagger-ui .microlight, #swagger-ui img, #swagger-ui .highlight-code { filter: invert(1) hue-rotate(180deg); }
.swagger-ui .topbar { display: none; }
.swagger-ui .information-container { overflow-wrap: anywhere; }
.signet-bar { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 16px; padding: 12px 24px;
  background: #14151b; border-bottom: 1px solid #2a2b35;
  font: 500 15px/1.6 Inter, 'Segoe UI', system-ui, -apple-system, Roboto, sans-serif; }
.signet-bar a { color: #a3a5b3; text-decoration: none; padding: 4px 0; }
.signet-bar a:hover, .signet-bar a[aria-current='page'] { color: #eceef2; }
.signet-bar a[aria-current='page'] { box-shadow: inset 0 -2px 0 #e33e3f; }
.signet-bar .home { color: #eceef2; font-weight: 700; margin-right: auto; }
@media (max-width: 600px) { .signet-bar { padding: 10px 16px; } }
`;

/** Puts the documentation bar (back to the console) above Swagger UI; no inline script: the CSP forbids it. */
const SWAGGER_THEME_JS = `
(function () {
  var bar = document.createElement('nav');
  bar.className = 'signet-bar';
  bar.setAttribute('aria-label', 'Documentation');
  [['/', '\u2190 Signet console', 'home'], ['/docs/protocol', 'Signing guide'], ['/docs/errors', 'Errors'],
   ['/docs/gateway', 'Gateway'], ['/docs/deploy', 'Deploying'], ['/docs', 'API reference', '', true]].forEach(function (item) {
    var link = document.createElement('a');
    link.href = item[0];
    link.textContent = item[1];
    if (item[2]) link.className = item[2];
    if (item[3]) link.setAttribute('aria-current', 'page');
    bar.appendChild(link);
  });
  document.body.insertBefore(bar, document.body.firstChild);
})();
`;

const SIGNING_HELP = [
  'Signed routes need `X-API-Key` (base64 ED25519 public key), `X-Timestamp` (ms), optional `X-Window`',
  '(default 5000, max 60000) and `X-Signature`: base64 ED25519 signature of',
  '`instruction=<name>&<params sorted by key>&timestamp=<X-Timestamp>&window=<X-Window>`.',
  'See the [signing guide](/docs/protocol) for worked examples and the [error table](/docs/errors).',
].join(' ');

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  const header = (name: string, description: string) => ({
    type: 'apiKey' as const,
    in: 'header' as const,
    name,
    description,
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Signet: Backpack-compatible API', version: '1.0.0', description: SIGNING_HELP },
      components: {
        securitySchemes: {
          'X-API-Key': header('X-API-Key', 'Base64 of the 32-byte ED25519 public key'),
          'X-Signature': header(
            'X-Signature',
            'Base64 of the 64-byte ED25519 signature of the signing string',
          ),
          'X-Timestamp': header('X-Timestamp', 'Unix time in milliseconds'),
          'X-Window': header('X-Window', 'Validity window in ms; default 5000, maximum 60000'),
        },
      },
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    // Swagger UI sets style attributes on its own elements; scripts stay 'self' only.
    transformStaticCSP: (header) => header.replace(/style-src [^;]*/, "style-src 'self' 'unsafe-inline'"),
    theme: {
      title: 'API reference — Signet',
      css: [{ filename: 'signet.css', content: SWAGGER_THEME_CSS }],
      js: [{ filename: 'signet.js', content: SWAGGER_THEME_JS }],
      favicon: [
        {
          filename: 'favicon.svg',
          rel: 'icon',
          type: 'image/svg+xml',
          sizes: 'any',
          content: await readFile(repoFile('web/public/favicon.svg')),
        },
      ],
    },
  });
  app.get('/docs/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // The signing guide the console points people to (key format, signing string, worked examples, error codes).
  // HTML for people (rendered once here), the markdown itself at /docs/protocol.md for tools.
  const protocolGuide = await readFile(PROTOCOL_GUIDE, 'utf8');
  const protocolPage = renderProtocolGuide(protocolGuide);
  app.get('/docs/protocol', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('Content-Security-Policy', PROTOCOL_GUIDE_CSP)
      .send(protocolPage),
  );
  app.get('/docs/protocol.md', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/markdown; charset=utf-8').send(protocolGuide),
  );
  // The pages the guide links to: without them its links would 404 (they named repository paths).
  const html = (page: string) => async (_request: unknown, reply: FastifyReply) =>
    reply.type('text/html; charset=utf-8').header('Content-Security-Policy', PROTOCOL_GUIDE_CSP).send(page);
  const errorsPage = renderDocPage({
    path: '/docs/errors',
    title: 'Errors',
    markdown: await readFile(ERROR_TABLE, 'utf8'),
  });
  app.get('/docs/errors', { schema: { hide: true } }, html(errorsPage));
  for (const [path, title, file] of GUIDES) {
    const page = renderDocPage({ path, title, markdown: await readFile(repoFile(file), 'utf8') });
    app.get(path, { schema: { hide: true } }, html(page));
  }
  const vectors = await readFile(VECTORS, 'utf8').catch(() => undefined);
  const vectorsReadme = await readFile(VECTORS_README, 'utf8').catch(() => undefined);
  if (vectors !== undefined && vectorsReadme !== undefined) {
    const vectorsPage = renderDocPage({
      path: '/docs/vectors',
      title: 'Signing vectors',
      markdown: vectorsReadme,
    });
    app.get('/docs/vectors', { schema: { hide: true } }, html(vectorsPage));
    app.get('/docs/vectors.json', { schema: { hide: true } }, async (_request, reply) =>
      reply.type('application/json; charset=utf-8').send(vectors),
    );
  }
}
