/**
 * `GET /metrics` on the API port, for operators only: registered only when SIGNET_METRICS_TOKEN is set, and
 * answers 401 unless `Authorization: Bearer <token>` matches. Hidden from the API docs.
 */
import type { FastifyInstance } from 'fastify';

import { AppError } from '../../../errors.ts';
import { hasMetricsToken, type Metrics } from '../../metrics.ts';
import { sendError } from '../../plugins/error-handler.ts';

export async function metricsRoute(
  app: FastifyInstance,
  options: { metrics: Metrics; token: string },
): Promise<void> {
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (!hasMetricsToken(request.headers.authorization, options.token)) {
      return sendError(reply, new AppError('UNAUTHORIZED', 'Metrics need the operator token'));
    }
    return reply.type(options.metrics.contentType).send(await options.metrics.render());
  });
}
