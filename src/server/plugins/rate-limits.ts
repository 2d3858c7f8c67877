/**
 * Rate limits on top of @fastify/rate-limit (its counters and its Redis script), applied where the key is known:
 * public routes and console sign-in/sign-up per client address before anything runs; the signed API per
 * verified subaccount right after authentication; failed authentications per client address (in this process),
 * checked before a signature is verified so a flood of bad signatures costs no verification. Answers are 429 TOO_MANY_REQUESTS in
 * Backpack's format with Retry-After. Configuration: rate-limit-config.ts.
 *
 * Where counters live: in Redis while REDIS_URL's Redis is up (shared by every node); otherwise, with
 * `signet serve --workers N`, in the cluster primary (cluster-shared.ts: every worker of this node counts in one
 * place, exactly); otherwise in this process. Redis is optional and never a single point of failure: while it is
 * down the store counts in the primary or this process (redis-link.ts logs the switch once each way).
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { AppError } from '../../errors.ts';
import { addressLimitKey } from '../../keys/index.ts';
import { findInstructionRoute } from '../../protocol/instructions.ts';
import type { RedisLink } from '../../store/redis-link.ts';
import type { RateLimitConfig } from '../rate-limit-config.ts';
import {
  countNow,
  createLocalCounterStore,
  createRedisCounterStore,
  type CounterStore,
  type StoreCallback,
} from '../rate-limit-stores.ts';
import { sendError } from './error-handler.ts';

const MINUTE = 60_000;

/**
 * A store class for @fastify/rate-limit that counts in Redis while the link is up and in `fallback` otherwise (the
 * cluster primary's counters, or a store in this process). Built from the plugin's own stores, so the counting
 * rules are the library's.
 */
function fallbackStoreClass(
  redis: RedisLink | undefined,
  fallback: SharedCounters | undefined,
): new (options: unknown) => CounterStore {
  const local: SharedCounters = fallback ?? createLocalCounterStore();
  const shared = redis === undefined ? undefined : createRedisCounterStore(redis.client, 'signet:rl:');
  const run = (
    method: 'incr' | 'read',
    key: string,
    callback: StoreCallback,
    window: number,
    max: number,
  ) => {
    if (shared === undefined || redis === undefined || !redis.isUp()) {
      local[method](key, callback, window, max);
      return;
    }
    shared[method](
      key,
      (error, result) => {
        if (error === null) return callback(null, result);
        redis.markDown();
        local[method](key, callback, window, max);
      },
      window,
      max,
    );
  };
  return class FallbackStore implements CounterStore {
    incr(key: string, callback: StoreCallback, timeWindow: number, max: number): void {
      run('incr', key, callback, timeWindow, max);
    }
    read(key: string, callback: StoreCallback, timeWindow: number, max: number): void {
      run('read', key, callback, timeWindow, max);
    }
    child(): CounterStore {
      return this;
    }
  };
}

/** Counters kept elsewhere (the cluster primary's, cluster-shared.ts); errors are never refusals. */
export type SharedCounters = Pick<CounterStore, 'incr' | 'read'>;

type Limiter = (
  request: FastifyRequest,
  options?: { increment?: boolean },
) => Promise<{
  isExceeded?: boolean;
  remaining?: number;
  ttlInSeconds?: number;
}>;

export interface SignedLimits {
  /** Before verifying: 429 when this address has failed authentication too often. True when answered. */
  refuseFailingAddress: (request: FastifyRequest, reply: FastifyReply) => Promise<boolean>;
  /** After a failed authentication: counts it against the address. */
  countFailure: (request: FastifyRequest) => Promise<void>;
  /**
   * After a successful authentication: the subaccount's limits (the signed one, then the history one for history
   * paths, or the class a gateway route names). True when answered.
   */
  refuseBusySubaccount: (
    request: FastifyRequest,
    reply: FastifyReply,
    limitClass?: { name: string; perMinute?: number },
  ) => Promise<boolean>;
}

/** Counts the request; 429 with Retry-After when it is over the limit. True when answered. */
async function refuse(limiter: Limiter, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  const result = await limiter(request);
  if (result.isExceeded !== true) return false;
  await answerTooMany(reply, result.ttlInSeconds, 'Too many requests: slow down and retry later');
  return true;
}

async function answerTooMany(reply: FastifyReply, ttlInSeconds: number | undefined, message: string) {
  reply.header('Retry-After', String(Math.max(1, ttlInSeconds ?? 1)));
  await sendError(reply, new AppError('TOO_MANY_REQUESTS', message));
}

/**
 * Registers the library and the per-address limits on public routes and console sign-in/sign-up; returns the
 * signed API's limits for the signed-api plugin (undefined when limits are off).
 */
export async function registerRateLimits(
  app: FastifyInstance,
  config: RateLimitConfig,
  redis: RedisLink | undefined,
  shared?: SharedCounters,
): Promise<SignedLimits | undefined> {
  if (!config.enabled) return undefined;
  await app.register(rateLimit, {
    global: false,
    store: fallbackStoreClass(redis, shared) as never,
    skipOnError: true,
  });
  const limiter = (prefix: string, max: number, key: (request: FastifyRequest) => string): Limiter =>
    app.createRateLimit({
      max,
      timeWindow: MINUTE,
      keyGenerator: (request) => `${prefix}:${key(request)}`,
    }) as Limiter;
  // Every address of one IPv6 /64 (by default) and every spelling of one address share one allowance.
  const byAddress = (request: FastifyRequest): string => addressLimitKey(request.ip, config.ipv6Prefix);
  const bySubaccount = (request: FastifyRequest): string => request.caller.subaccountId;
  const publicLimit = limiter('public', config.publicPerMinute, byAddress);
  const signInLimit = limiter('sign-in', config.signInPerMinute, byAddress);
  // Failed authentications are counted in this process only, deliberately, even with workers or Redis: reading a
  // shared counter before every signed request would cost a Redis or IPC round trip on the hot path (measured:
  // bench/abuse-controls.ts), and the limit only needs to be in the right order of magnitude (N workers let an
  // address fail at most N times the limit before each refuses it).
  const failures = createLocalCounterStore();
  // The local store answers synchronously: no promise on the signed path.
  const failureCount = (request: FastifyRequest, method: 'incr' | 'read'): { current: number; ttl: number } =>
    countNow(failures, method, `auth-failures:${byAddress(request)}`, MINUTE, config.authFailuresPerMinute);
  // The signed API's per-subaccount counters go straight to the plugin's store (same counting rules, same Redis
  // script): the plugin's request wrapper cost ~20 us per signed request, 14 % of a signed read
  // (bench/abuse-controls.ts), for options (allow lists, hooks, headers) these limits do not use.
  const store = new (fallbackStoreClass(redis, shared))({});
  const countSubaccount = (request: FastifyRequest, prefix: string, max: number) =>
    new Promise<{ exceeded: boolean; ttlSeconds: number }>((resolve) =>
      store.incr(
        `${prefix}:${bySubaccount(request)}`,
        // Like the plugin's skipOnError: a store error never refuses a request.
        (error, result) =>
          resolve({
            exceeded: error === null && result !== undefined && result.current > max,
            ttlSeconds: Math.ceil((result?.ttl ?? 0) / 1000),
          }),
        MINUTE,
        max,
      ),
    );
  const refuseCounted = async (
    request: FastifyRequest,
    reply: FastifyReply,
    prefix: string,
    max: number,
  ): Promise<boolean> => {
    const { exceeded, ttlSeconds } = await countSubaccount(request, prefix, max);
    if (!exceeded) return false;
    await answerTooMany(reply, ttlSeconds, 'Too many requests: slow down and retry later');
    return true;
  };

  app.addHook('onRequest', async (request, reply) => {
    const url = request.routeOptions.url ?? '';
    if (url === '/console/api/auth/login' || url === '/console/api/auth/signup') {
      if (request.method === 'POST') await refuse(signInLimit, request, reply);
      return;
    }
    const path = request.url;
    const isApi = path.startsWith('/api/') || path.startsWith('/wapi/');
    if (!isApi || findInstructionRoute(request.method, url) !== undefined) return;
    await refuse(publicLimit, request, reply);
  });

  return {
    refuseFailingAddress: async (request, reply) => {
      // A read, not a count: the address is refused once its failures reached the limit.
      const result = failureCount(request, 'read');
      if (result.current < config.authFailuresPerMinute) return false;
      await answerTooMany(
        reply,
        Math.ceil(result.ttl / 1000),
        'Too many failed authentications from this address',
      );
      return true;
    },
    countFailure: async (request) => {
      failureCount(request, 'incr');
    },
    refuseBusySubaccount: async (request, reply, limitClass) => {
      if (await refuseCounted(request, reply, 'signed', config.signedPerMinute)) return true;
      if (limitClass?.name === 'history' || request.url.startsWith('/wapi/v1/history/')) {
        return refuseCounted(request, reply, 'history', config.historyPerMinute);
      }
      if (limitClass?.perMinute !== undefined) {
        return refuseCounted(request, reply, `class-${limitClass.name}`, limitClass.perMinute);
      }
      return false;
    },
  };
}
