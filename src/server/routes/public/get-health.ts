/**
 * Operator probes, outside the Backpack surface: `GET /healthz` (the process is alive and its event loop turns)
 * and `GET /readyz` (it can serve: database, migrations, Redis when configured; 503 with the failing checks
 * otherwise). Both are cheap and unauthenticated; they reveal no configuration beyond which check failed.
 */
import type { FastifyInstance } from 'fastify';

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
    async () => ({ status: 'ok' }),
  );

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
    async (_request, reply) => {
      const { ready, checks } = await options.readiness.check();
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
    },
  );
}
