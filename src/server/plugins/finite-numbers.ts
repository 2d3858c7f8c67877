/**
 * Refuses numbers that are not finite after schema validation. Ajv coerces `?offset=1e400` (and JSON's `1e400`)
 * to Infinity, and then skips `minimum`/`maximum` for non-finite values, so Infinity passed every bound and
 * reached SQL as a datatype mismatch (a 500). Runs after validation on every route: a walk over the few
 * top-level values of the query and body (and one level into arrays and objects, for batches).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

import { AppError } from '../../errors.ts';

function hasNonFinite(value: unknown, depth: number): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (depth === 0 || typeof value !== 'object' || value === null) return false;
  for (const item of Object.values(value)) if (hasNonFinite(item, depth - 1)) return true;
  return false;
}

export function registerFiniteNumbers(app: FastifyInstance): void {
  app.addHook('preHandler', async (request: FastifyRequest) => {
    if (hasNonFinite(request.query, 2) || hasNonFinite(request.body, 3)) {
      throw new AppError('INVALID_CLIENT_REQUEST', 'Numbers must be finite');
    }
  });
}
