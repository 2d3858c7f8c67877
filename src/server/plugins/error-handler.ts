/**
 * Every error leaves the server as Backpack's `{"code","message"}`. AppErrors carry their own code; Fastify's own
 * errors (bad JSON, too large, schema validation) map to 4xx codes here; anything else is an outage: logged with
 * the request id and answered as an opaque 500 that reveals nothing.
 */
import type { Socket } from 'node:net';

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { AppError, type ErrorCode } from '../../errors.ts';
import {
  firstInEpisode,
  isStorageFull,
  STORAGE_RETRY_AFTER_SECONDS,
  storageFullError,
} from '../storage-health.ts';

export const BODY_LIMIT_BYTES = 64 * 1024;

function mapFastifyError(error: FastifyError): AppError | undefined {
  if (error.validation) {
    const where = error.validationContext ?? 'request';
    return new AppError(
      'INVALID_CLIENT_REQUEST',
      `Invalid ${where}: ${error.message.replace(/^(body|querystring|headers) /, '')}`,
    );
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', `Request body is larger than ${BODY_LIMIT_BYTES} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Content-Type');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('INVALID_CLIENT_REQUEST', 'Content-Length does not match the body');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('INVALID_CLIENT_REQUEST', 'Body is not valid JSON');
  }
  if (error instanceof SyntaxError) return new AppError('INVALID_CLIENT_REQUEST', 'Body is not valid JSON');
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code: ErrorCode =
      status === 404 ? 'RESOURCE_NOT_FOUND' : status === 429 ? 'TOO_MANY_REQUESTS' : 'INVALID_CLIENT_REQUEST';
    return new AppError(code, error.message);
  }
  return undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the console API: its error bodies carry Signet's `detail` beside Backpack's code and message. */
    sendsErrorDetail: boolean;
  }
}

export function sendError(reply: FastifyReply, error: AppError): FastifyReply {
  const body = reply.request.sendsErrorDetail ? error.toDetailedJSON() : error.toJSON();
  return reply.code(error.status).type('application/json; charset=utf-8').send(body);
}

/** Seconds a client is told to wait when the database is away (the outage probe's back-off starts well below). */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

export interface ErrorHandlingOptions {
  /**
   * Told of every error; true when it means the database is unavailable (database-outage.ts), which is answered
   * 503 MAINTENANCE with Retry-After instead of a 500, and logged once per outage by the caller, not per request.
   */
  databaseUnavailable?: (error: unknown) => boolean;
}

export function registerErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions = {}): void {
  app.decorateRequest('sendsErrorDetail', false);
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const known = error instanceof AppError ? error : mapFastifyError(error);
    if (known) return sendError(reply, known);
    if (isStorageFull(error)) {
      // A full disk is an outage the client can wait out, said as such (storage-health.ts), logged once per episode.
      if (firstInEpisode()) request.log.error({ err: error, reqId: request.id }, 'disk full: writes refused');
      void reply.header('retry-after', String(STORAGE_RETRY_AFTER_SECONDS));
      return sendError(reply, storageFullError());
    }
    if (options.databaseUnavailable?.(error) === true) {
      reply.header('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
      return sendError(
        reply,
        AppError.of('DATABASE_UNAVAILABLE', 'The database is unavailable; nothing was done. Retry shortly.'),
      );
    }
    request.log.error({ err: error, reqId: request.id }, 'unhandled error');
    return sendError(reply, new AppError('SERVER_ERROR', `Internal server error (request ${request.id})`));
  });
  // Backpack paths Signet does not serve answer 501 in Backpack's format: ccxt treats a 404 there as an outage
  // and retries, while NOT_IMPLEMENTED tells a bot the feature is missing here.
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] as string;
    if (/^\/w?api\/v1(\/|$)/.test(path)) {
      return sendError(
        reply,
        new AppError('NOT_IMPLEMENTED', `Not implemented by this server: ${request.method} ${path}`),
      );
    }
    return sendError(reply, new AppError('RESOURCE_NOT_FOUND', `Not found: ${request.method} ${path}`));
  });
}

/**
 * Errors Fastify raises before routing (a bad percent-encoding in the path, a failed constraint): the same
 * Backpack format as every other answer, never Fastify's own `{"error","code","statusCode"}`.
 */
export function handleFrameworkError(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const message =
    error.code === 'FST_ERR_BAD_URL' ? 'The request path is not valid percent-encoding' : 'Malformed request';
  void sendError(reply, new AppError('INVALID_CLIENT_REQUEST', message));
}

/** Requests Node's HTTP parser rejects (bad header bytes, oversized headers) still get a Backpack-format answer. */
export function handleClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  // A slow client (headers or body not complete within the configured timeout, http-timeouts.ts).
  const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const body = JSON.stringify({
    code: 'INVALID_CLIENT_REQUEST',
    message: tooLarge
      ? 'Request headers are too large'
      : timedOut
        ? 'The request did not arrive in time'
        : 'Malformed HTTP request',
  });
  const status = tooLarge
    ? '431 Request Header Fields Too Large'
    : timedOut
      ? '408 Request Timeout'
      : '400 Bad Request';
  socket.end(
    `HTTP/1.1 ${status}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
