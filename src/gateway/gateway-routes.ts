/**
 * The gateway's routes: the operator's own API (route-file.ts), each verified exactly as a Backpack route is
 * (the signed API's own authentication step, server/plugins/signed-api.ts: headers, window, key, signature over
 * the instruction and parameters, allowlist, expiry, permission, subaccount, replay, rate limits) and, only when
 * accepted, forwarded to its upstream over undici's pooled keep-alive connections (upstream.ts).
 *
 * Byte for byte: the body is kept as the bytes received (a buffer parser in this context) and sent as they are;
 * the query string is sent as received; a path that URL parsing would rewrite (dot segments, backslashes) is
 * refused, so the upstream sees exactly the path that was matched and signed. The response (status, headers,
 * body) is streamed back as the upstream sent it.
 *
 * Invariants: a refusal never reaches the upstream (verification runs in preValidation, the forward in the
 * handler); nothing is retried (a POST is never sent twice, nor a GET); a
 * GET with a body is refused (GET signs only its query, so a body would reach the upstream unsigned); a JSON body
 * with a key twice is refused (Signet would sign the last value and an upstream parser might take the first).
 * The upstream down or broken is 502 UPSTREAM_UNAVAILABLE, slow past SIGNET_UPSTREAM_TIMEOUT 504
 * UPSTREAM_TIMEOUT, both in Backpack's format; TLS certificates of https upstreams are verified.
 */
import { Readable } from 'node:stream';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

import { AppError } from '../errors.ts';
import { permissionNames, type Caller } from '../keys/index.ts';
import type { InstructionRoute } from '../protocol/instructions.ts';
import { BODY_LIMIT_BYTES, sendError } from '../server/plugins/error-handler.ts';
import {
  SIGNED_SECURITY,
  type AuthenticateSigned,
  type SignedTarget,
} from '../server/plugins/signed-auth.ts';
import { readGatewayBody } from './gateway-body.ts';
import { isNormalPath } from './route-match.ts';
import { openUpstreams, type Upstreams } from './upstream.ts';
import type { GatewayConfig, ResolvedGatewayRoute } from './gateway-config.ts';
import {
  identityHeaders,
  sha256Hex,
  signUpstreamRequest,
  stripClientHeaders,
  TIMESTAMP_HEADER,
  SIGNATURE_HEADER,
  upstreamSigningString,
} from './identity-headers.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** A gateway route's body as received, forwarded unchanged. */
    gatewayBody?: Buffer;
  }
}

export interface GatewayRouteOptions {
  config: GatewayConfig;
  /** The signed API's authentication step (signed-api.ts `signedAuthentication`). */
  authenticate: AuthenticateSigned;
  /** Where the gateway's own metrics go (upstream latency and failures by route); none when absent. */
  registry?: Registry;
}

interface UpstreamMetrics {
  observe: (route: string, seconds: number) => void;
  failed: (route: string, kind: 'unavailable' | 'timeout') => void;
}

function upstreamMetrics(registry: Registry | undefined): UpstreamMetrics | undefined {
  if (registry === undefined) return undefined;
  const latency = new Histogram({
    name: 'signet_gateway_upstream_seconds',
    help: 'Time from forwarding a gateway request to the upstream answering with headers, by route template',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5, 10],
    registers: [registry],
  });
  const failures = new Counter({
    name: 'signet_gateway_upstream_failures_total',
    help: 'Gateway requests answered 502 (upstream unavailable) or 504 (upstream timeout), by route template',
    labelNames: ['route', 'kind'] as const,
    registers: [registry],
  });
  return {
    observe: (route, seconds) => latency.observe({ route }, seconds),
    failed: (route, kind) => failures.inc({ route, kind }),
  };
}

/** undici's failure as Signet's answer: no headers within the timeout is 504, anything else 502. */
function upstreamError(error: { code?: string }, timeoutMs: number): AppError {
  if (error.code === 'UND_ERR_HEADERS_TIMEOUT' || error.code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new AppError('UPSTREAM_TIMEOUT', `The upstream did not answer within ${timeoutMs} ms`);
  }
  const cause = (error as { cause?: { code?: unknown } }).cause?.code;
  const code = typeof cause === 'string' ? cause : error.code;
  return new AppError(
    'UPSTREAM_UNAVAILABLE',
    `The upstream could not be reached${typeof code === 'string' && /^[A-Z_]{1,40}$/.test(code) ? ` (${code})` : ''}`,
  );
}

/** The body parser of this context: the bytes kept for forwarding, the JSON parsed for the signing string. */
function registerBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  const parser: Parameters<FastifyInstance['addContentTypeParser']>[2] = (request, body, done) => {
    const bytes = body as Buffer;
    if (bytes.length > 0) request.gatewayBody = bytes;
    const read = readGatewayBody(bytes);
    if (!read.ok) return done(new AppError('INVALID_CLIENT_REQUEST', read.message), undefined);
    if (read.text === undefined) return done(null, undefined);
    request.rawBody = read.text;
    // Fastify's own parser: it refuses __proto__ and constructor.prototype keys (prototype poisoning).
    parseJson(request, read.text, (error: Error | null, value?: unknown) => {
      if (error) return done(new AppError('INVALID_CLIENT_REQUEST', 'Body is not valid JSON'), undefined);
      done(null, value);
    });
  };
  const options = { parseAs: 'buffer' as const, bodyLimit: BODY_LIMIT_BYTES };
  app.addContentTypeParser('application/json', options, parser);
  app.addContentTypeParser('*', options, parser);
}

/** The request target as received: path and query, split. */
function splitTarget(request: FastifyRequest): { path: string; query: string } {
  const url = request.raw.url ?? '/';
  const index = url.indexOf('?');
  return index === -1 ? { path: url, query: '' } : { path: url.slice(0, index), query: url.slice(index) };
}

/**
 * Headers of one connection (RFC 9110 7.6.1): the client's to Signet are not Signet's to the upstream, nor the
 * upstream's to Signet the client's. `expect` too: Signet answered the client's 100-continue itself.
 */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'expect',
];

function endToEndHeaders<V>(headers: Record<string, V>): Record<string, V> {
  const out = { ...headers };
  const connection = out.connection;
  const listed = typeof connection === 'string' ? connection.toLowerCase().split(',') : [];
  for (const name of HOP_BY_HOP) delete out[name];
  for (const name of listed) delete out[name.trim()];
  return out;
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export async function gatewayRoutes(app: FastifyInstance, options: GatewayRouteOptions): Promise<void> {
  const { config, authenticate } = options;
  const upstreams = openUpstreams({ timeoutMs: config.timeoutMs });
  app.addHook('onClose', () => upstreams.close());
  registerBodyParser(app);
  app.decorateRequest('caller', null as unknown as Caller);
  const metrics = upstreamMetrics(options.registry);

  for (const route of config.routes) registerRoute(app, route, { config, authenticate, metrics, upstreams });
}

interface RouteContext {
  config: GatewayConfig;
  authenticate: AuthenticateSigned;
  metrics: UpstreamMetrics | undefined;
  upstreams: Upstreams;
}

function registerRoute(app: FastifyInstance, route: ResolvedGatewayRoute, context: RouteContext): void {
  const { config, authenticate } = context;
  const instructionRoute: InstructionRoute = {
    method: route.method,
    path: route.path,
    instruction: route.instruction,
    // Replay refusal covers every kind but `query` (replay-decision.ts).
    kind: route.replay ? 'trade' : 'query',
  };
  const target: SignedTarget = {
    route: instructionRoute,
    permission: route.permission,
    ...(route.rateLimit === 'signed'
      ? {}
      : { limitClass: { name: route.rateLimit, perMinute: config.rateLimits[route.rateLimit] } }),
  };
  const upstream = new URL(route.upstream);
  const forwardTo: ForwardTarget = {
    origin: upstream.origin,
    host: upstream.host,
    prefix: route.upstream.slice(upstream.origin.length),
  };

  // A route's path parameters are strings by the router (find-my-way), named by the route file's path.
  app.route<{ Params: Record<string, string> }>({
    method: route.method,
    url: route.path,
    schema: {
      summary: `${route.instruction} (${route.permission}), forwarded to the operator's upstream`,
      tags: ['Gateway'],
      security: SIGNED_SECURITY,
    },
    onRequest: async (request, reply) => {
      const { path } = splitTarget(request);
      // What the upstream would receive must be exactly what was matched and signed.
      if (!isNormalPath(path)) {
        return sendError(
          reply,
          new AppError(
            'INVALID_CLIENT_REQUEST',
            'The path must be in normal form (no dot segments or backslashes)',
          ),
        );
      }
      if (route.method === 'GET' && hasBody(request)) {
        return sendError(reply, new AppError('INVALID_CLIENT_REQUEST', 'A GET request carries no body'));
      }
    },
    preValidation: async (request, reply) => {
      if (await authenticate(request, reply, target, request.params)) return reply;
    },
    handler: (request, reply) => forward(request, reply, route, forwardTo, context),
  });
}

/** Where a route's requests go: the pool's origin, the Host the upstream sees, the path prefix. */
interface ForwardTarget {
  origin: string;
  host: string;
  prefix: string;
}

/** The client's headers as the upstream gets them: end to end only, Signet's verdict instead of the client's claims. */
function upstreamHeaders(
  request: FastifyRequest,
  route: ResolvedGatewayRoute,
  target: ForwardTarget,
  config: GatewayConfig,
  body: Buffer | undefined,
  path: string,
  query: string,
): Record<string, string> {
  const out = endToEndHeaders(request.headers) as Record<string, string>;
  stripClientHeaders(out);
  delete out.forwarded;
  out.host = target.host;
  out['x-forwarded-for'] = request.ip;
  out['x-forwarded-proto'] = request.protocol;
  out['x-forwarded-host'] = request.host;
  if (body === undefined) delete out['content-length'];
  else out['content-length'] = String(body.length);
  const { caller } = request;
  const identity = identityHeaders({
    user: caller.userId,
    subaccount: caller.subaccountId,
    apiKey: caller.apiKey,
    permissions: permissionNames(caller.permissions, caller.customPermissions).join(','),
    instruction: route.instruction,
    requestId: request.id,
  });
  Object.assign(out, identity);
  if (config.secret !== undefined) {
    const timestamp = String(Date.now());
    out[TIMESTAMP_HEADER] = timestamp;
    out[SIGNATURE_HEADER] = signUpstreamRequest(
      config.secret,
      upstreamSigningString({
        method: route.method,
        target: target.prefix + path + query,
        timestamp,
        headers: identity,
        bodySha256: sha256Hex(body ?? ''),
      }),
    );
  }
  return out;
}

/** The answer's body as Fastify should send it: bytes labelled application/octet-stream only if the upstream did. */
function clientBody(
  answer: Readable | Buffer,
  headers: Record<string, unknown>,
): Readable | Buffer | undefined {
  if (!Buffer.isBuffer(answer)) return answer;
  if (answer.length === 0) return undefined;
  // Fastify would give typeless bytes application/octet-stream; a stream goes out without a type added.
  return headers['content-type'] === undefined ? Readable.from([answer]) : answer;
}

/** Sends an accepted request to its upstream once (never retried) and streams the answer back as it comes. */
function forward(
  request: FastifyRequest,
  reply: FastifyReply,
  route: ResolvedGatewayRoute,
  target: ForwardTarget,
  context: RouteContext,
): FastifyReply {
  const { config, metrics, upstreams } = context;
  const { path, query } = splitTarget(request);
  const body = request.gatewayBody;
  const started = performance.now();
  const gone = new AbortController();
  // The client went away before the whole answer was written: the upstream request ends too.
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) gone.abort();
  });
  upstreams.send(
    target.origin,
    {
      method: route.method,
      path: target.prefix + path + query,
      headers: upstreamHeaders(request, route, target, config, body, path, query),
      ...(body === undefined ? {} : { body }),
      signal: gone.signal,
    },
    {
      onResponse: (statusCode, headers, answer) => {
        metrics?.observe(route.path, (performance.now() - started) / 1000);
        if (statusCode > 599) {
          if (answer instanceof Readable) answer.destroy();
          void sendError(
            reply,
            new AppError('UPSTREAM_UNAVAILABLE', 'The upstream answered an invalid status'),
          );
          return;
        }
        void reply.code(statusCode).headers(endToEndHeaders(headers)).send(clientBody(answer, headers));
      },
      onError: (error) => {
        if (gone.signal.aborted) return; // the client went away: nobody to answer
        const refusal = upstreamError(error, config.timeoutMs);
        metrics?.failed(route.path, refusal.code === 'UPSTREAM_TIMEOUT' ? 'timeout' : 'unavailable');
        request.log.warn({ err: error, route: route.path }, 'gateway upstream failed');
        void sendError(reply, refusal);
      },
    },
  );
  return reply;
}
