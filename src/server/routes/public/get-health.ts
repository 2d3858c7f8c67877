/**
 * Operator probes, outside the Backpack surface: `GET /healthz` (the process is alive and its event loop turns)
 * and `GET /readyz` (it can serve: database, migrations, Redis when configured; 503 with the failing checks
 * otherwise). Both are cheap and unauthenticated; they reveal no configuration beyond which check failed. Each also
 * answers with a trailing slash (`/readyz/`), the same way, so a probe configured either way never gets the
 * console's page (a 200 that says nothing about readiness).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { ReadinessProbe } from '../../readiness.ts';

const CHECKS_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    required: ['name', 'ok'],
    properties: { name: { type: 'string' }, ok: { type: 'boolean' }, detail: { type: 'string' } },
  },
} as const;

export async function healthRoutes(
  app: FastifyInstance,
  options: { readiness: ReadinessProbe },
): Promise<void> {
  const healthz = async () => ({ status: 'ok' });
  app.get('/healthz/', { schema: { hide: true } }, healthz);
  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness: the process is up',
        tags: ['Operations'],
        response: {
          200: { type: 'object', required: ['status'], properties: { status: { type: 'string' } } },
        },
      },
    },
    healthz,
  );

  const readyz = async (_request: FastifyRequest, reply: FastifyReply) => {
    const { ready, checks } = await options.readiness.check();
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  };
  app.get('/readyz/', { schema: { hide: true } }, readyz);
  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness: database reachable, migrations applied, Redis reachable when configured',
        tags: ['Operations'],
        response: {
          '2xx': {
            type: 'object',
            required: ['status', 'checks'],
            properties: { status: { type: 'string' }, checks: CHECKS_SCHEMA },
          },
          503: {
            type: 'object',
            required: ['status', 'checks'],
            properties: { status: { type: 'string' }, checks: CHECKS_SCHEMA },
          },
        },
      },
    },
    readyz,
  );
}
