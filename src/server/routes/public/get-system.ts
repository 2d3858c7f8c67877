/** Public system routes: `GET /api/v1/status`, `/api/v1/ping` (text `pong`), `/api/v1/time` (text ms). */
import type { FastifyInstance } from 'fastify';

import type { AppDeps } from '../../deps.ts';

export async function systemRoutes(app: FastifyInstance, options: { deps: AppDeps }): Promise<void> {
  app.get(
    '/api/v1/status',
    {
      schema: {
        summary: 'System status',
        tags: ['System'],
        response: {
          200: {
            type: 'object',
            required: ['status', 'message'],
            properties: {
              status: { type: 'string', enum: ['Ok', 'Maintenance'] },
              message: { type: ['string', 'null'] },
              reset: {
                description: 'Signet: the scheduled sandbox reset (SIGNET_RESET_EVERY); absent when none',
                type: 'object',
                required: ['every', 'nextAt'],
                properties: { every: { type: 'string' }, nextAt: { type: ['integer', 'null'] } },
              },
            },
          },
        },
      },
    },
    async () => {
      const schedule = options.deps.resetSchedule;
      if (schedule === undefined) return { status: 'Ok', message: null };
      const nextAt = (await schedule.nextAt()) ?? null;
      const when = nextAt === null ? '' : `; next at ${new Date(nextAt).toISOString()}`;
      return {
        status: 'Ok',
        message: `Sandbox: balances, orders and trades are reset every ${schedule.every}${when}`,
        reset: { every: schedule.every, nextAt },
      };
    },
  );

  app.get(
    '/api/v1/ping',
    {
      schema: {
        summary: 'Ping (answers text/plain "pong")',
        tags: ['System'],
        response: { 200: { type: 'string' } },
      },
    },
    async (_request, reply) => reply.type('text/plain; charset=utf-8').send('pong'),
  );

  app.get(
    '/api/v1/time',
    {
      schema: {
        summary: 'Server time in Unix milliseconds (text/plain, as Backpack answers)',
        tags: ['System'],
        response: { 200: { type: 'string' } },
      },
    },
    async (_request, reply) => reply.type('text/plain; charset=utf-8').send(String(options.deps.now())),
  );
}
