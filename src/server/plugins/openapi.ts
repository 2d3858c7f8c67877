/**
 * OpenAPI 3 generated from the route schemas (`@fastify/swagger`), served at `/docs/openapi.json`, with a
 * browsable page at `/docs` (`@fastify/swagger-ui`, assets shipped inside the npm package, no CDN).
 * Registered before the routes so it sees every one of them.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

import { PROTOCOL_GUIDE_CSP, renderProtocolGuide } from '../protocol-guide-page.ts';

const PROTOCOL_GUIDE = fileURLToPath(new URL('../../../docs/PROTOCOL.md', import.meta.url));

const SIGNING_HELP = [
  'Signed routes need `X-API-Key` (base64 ED25519 public key), `X-Timestamp` (ms), optional `X-Window`',
  '(default 5000, max 60000) and `X-Signature`: base64 ED25519 signature of',
  '`instruction=<name>&<params sorted by key>&timestamp=<X-Timestamp>&window=<X-Window>`.',
  'See /docs/protocol (docs/PROTOCOL.md) for worked examples.',
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
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
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
}
