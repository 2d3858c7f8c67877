/**
 * Replay refusal, the I/O: remembers accepted signatures until their window has passed, in one of three places:
 *
 *   1. Redis, when REDIS_URL is set and up: shared by every node (`SET signet:replay:<signature> 1 NX PX <ms until
 *      the window ends>`), so a request replayed to another node is refused too.
 *   2. The cluster primary (`shared`, server/cluster-shared.ts), with `signet serve --workers N` and no Redis, or
 *      while Redis is down: one store for every worker of this node, so a replay to another worker is refused.
 *   3. This process (replay-store.ts): a single process without Redis, or when the primary does not answer.
 *
 * Every store is bounded the same way (replay-store.ts: refuse, never evict, when full). The decisions are in
 * replay-decision.ts.
 * Redis down: the primary's store (or this process's) takes over, and entries made meanwhile keep being checked
 * after Redis returns, until they can have expired (one maximum window after it returned).
 */
import { MAX_WINDOW_MS, type SignedRequest } from '../protocol/signed-request.ts';
import type { RedisLink } from '../store/redis-link.ts';
import {
  isReplayGuarded,
  REPLAY_MODES,
  REPLAYED,
  replayEntryExpiresAt,
  type ReplayMode,
  type ReplayOutcome,
} from './replay-decision.ts';
import { ReplayStore } from './replay-store.ts';

/** A replay store shared with other processes (the cluster primary's); rejects when it cannot answer. */
export interface SharedReplayStore {
  claim: (signature: string, expiresAt: number) => Promise<ReplayOutcome>;
}

export interface ReplayGuardOptions {
  mode?: ReplayMode;
  /** Most signatures held per store (default 250,000: about 50 MB at worst). */
  maxEntries?: number;
  redis?: RedisLink;
  /** The cluster primary's store, for workers (server/cluster-shared.ts). */
  shared?: SharedReplayStore;
  log?: { warn: (message: string) => void };
}

export interface ReplayStats {
  replays: number;
  refusedFull: number;
  redisFallbacks: number;
  /** Claims the cluster primary did not answer, decided in this process instead. */
  sharedFallbacks: number;
}

const ACCEPTED: ReplayOutcome = { ok: true };
const KEY_PREFIX = 'signet:replay:';

export function replayOptionsFromEnv(
  env: NodeJS.ProcessEnv,
): Pick<ReplayGuardOptions, 'mode' | 'maxEntries'> {
  const mode = (env.SIGNET_REPLAY?.trim().toLowerCase() || 'mutating') as ReplayMode;
  if (!REPLAY_MODES.includes(mode)) throw new Error('SIGNET_REPLAY must be mutating, all or off');
  const maxText = env.SIGNET_REPLAY_MAX_ENTRIES?.trim();
  const maxEntries = maxText ? Number(maxText) : undefined;
  if (maxEntries !== undefined && !(Number.isInteger(maxEntries) && maxEntries >= 1)) {
    throw new Error('SIGNET_REPLAY_MAX_ENTRIES must be a positive whole number');
  }
  return { mode, maxEntries };
}

export class ReplayGuard {
  readonly mode: ReplayMode;
  readonly stats: ReplayStats = { replays: 0, refusedFull: 0, redisFallbacks: 0, sharedFallbacks: 0 };
  private readonly local: ReplayStore;
  private sharedFailureLogged = false;

  constructor(private readonly options: ReplayGuardOptions = {}) {
    this.mode = options.mode ?? 'mutating';
    this.local = new ReplayStore({ maxEntries: options.maxEntries, log: options.log });
  }

  /** How many signatures this process holds now. */
  get size(): number {
    return this.local.size;
  }

  /** Accepts a request's signature once inside its window; call after the signature verified. */
  async claim(request: SignedRequest, now: number): Promise<ReplayOutcome> {
    if (!isReplayGuarded(this.mode, request.route)) return ACCEPTED;
    const expiresAt = replayEntryExpiresAt(request);
    if (this.local.holds(request.signature, now)) return this.count(REPLAYED);

    const { redis, shared } = this.options;
    if (redis !== undefined && redis.isUp()) {
      const inRedis = await this.claimInRedis(redis, request.signature, expiresAt, now);
      if (inRedis === 'replayed') return this.count(REPLAYED);
      if (inRedis === 'accepted') {
        // Just after an outage the primary may hold signatures accepted meanwhile: ask it too until they expired.
        const primaryMayHold = now - redis.upAgainAt <= MAX_WINDOW_MS + 1;
        if (shared === undefined || !primaryMayHold) return ACCEPTED;
        return this.claimShared(request.signature, expiresAt, now);
      }
    }
    if (redis !== undefined) this.stats.redisFallbacks++;
    if (shared !== undefined) return this.claimShared(request.signature, expiresAt, now);
    return this.count(this.local.claim(request.signature, expiresAt, now));
  }

  private async claimInRedis(
    redis: RedisLink,
    signature: string,
    expiresAt: number,
    now: number,
  ): Promise<'accepted' | 'replayed' | 'failed'> {
    try {
      const set = await redis.client.set(
        KEY_PREFIX + signature,
        '1',
        'PX',
        Math.max(1, expiresAt - now),
        'NX',
      );
      return set === 'OK' ? 'accepted' : 'replayed';
    } catch {
      redis.markDown();
      return 'failed';
    }
  }

  private async claimShared(signature: string, expiresAt: number, now: number): Promise<ReplayOutcome> {
    try {
      const outcome = await this.options.shared!.claim(signature, expiresAt);
      this.sharedFailureLogged = false;
      return this.count(outcome);
    } catch {
      // Should not happen (the primary is local and answers from memory). Fail safe: decide here, so a replay to
      // this same worker is still refused; one line per episode.
      this.stats.sharedFallbacks++;
      if (!this.sharedFailureLogged) {
        this.sharedFailureLogged = true;
        this.options.log?.warn(
          'The cluster primary did not answer a replay check: refusing replays per worker until it does',
        );
      }
      return this.count(this.local.claim(signature, expiresAt, now));
    }
  }

  /** Counts refusals in this process's stats, wherever they were decided. */
  private count(outcome: ReplayOutcome): ReplayOutcome {
    if (outcome.ok) return outcome;
    if (outcome.reason === 'replayed') this.stats.replays++;
    else this.stats.refusedFull++;
    return outcome;
  }
}
