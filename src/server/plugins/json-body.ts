/**
 * One body parser for every content type: Backpack bodies are JSON whatever the client labels them (some send
 * no Content-Type at all). An empty body is "no body", not an error. Prototype poisoning is rejected, and so is
 * nesting deeper than MAX_BODY_DEPTH (400, checked without recursion before parsing).
 */
import type { FastifyInstance } from 'fastify';

import { AppError } from '../../errors.ts';
import { jsonTextExceedsDepth, MAX_BODY_DEPTH } from '../../protocol/json-depth.ts';
import { BODY_LIMIT_BYTES } from './error-handler.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body text as received (signature checks may need numbers exactly as sent). */
    rawBody?: string;
  }
}

export function registerJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  const parser: Parameters<FastifyInstance['addContentTypeParser']>[2] = (request, body, done) => {
    if (typeof body !== 'string' || body.trim() === '') return done(null, undefined);
    // Depth first, by a linear scan: nothing recursive may see a body nested 10,000 levels deep.
    if (jsonTextExceedsDepth(body, MAX_BODY_DEPTH)) {
      return done(
        new AppError('INVALID_CLIENT_REQUEST', `Body is nested deeper than ${MAX_BODY_DEPTH} levels`),
        undefined,
      );
    }
    request.rawBody = body;
    parseJson(request, body, (error: Error | null, value?: unknown) => {
      if (error) return done(new AppError('INVALID_CLIENT_REQUEST', 'Body is not valid JSON'), undefined);
      done(null, value);
    });
  };
  const options = { parseAs: 'string' as const, bodyLimit: BODY_LIMIT_BYTES };
  // Registered by media type too: Fastify caches the parser per Content-Type value only for parsers found that
  // way; through the catch-all alone it parsed the Content-Type header again on every request.
  app.addContentTypeParser('application/json', options, parser);
  app.addContentTypeParser('*', options, parser);
}
