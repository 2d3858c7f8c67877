/**
 * Replay refusal, the I/O: remembers accepted signatures until their window has passed, in one of three places:
 *
 *   1. Redis, when REDIS_URL is set and up: shared by every node (`SET signet:replay:<signature> 1 NX PX <ms until
 *      the window ends>`), so a request replayed to another node is refused too.
 *   2. The cluster primary (`shared`, server/cluster-shared.ts), with `signet serve --workers N` and no Redis, or
 *      while Redis is down: one store for every worker of this node, so a replay to another worker is refused.
 *   3. This process (replay-store.ts): a single process without Redis, or when the primary does not answer.
 *
 * Every store is bounded the same way (replay-store.ts: refuse, never evict, when full; each subaccount at most its
 * share, SIGNET_REPLAY_SUBACCOUNT_SHARE, default 10 %). In Redis the share is counted per subaccount in a sorted
 * set next to the entries, in the same script as the claim (one round trip, as before). The decisions are in
 * replay-decision.ts.
 * Every claim Redis accepts is kept by this node too (keepAccepted), so Redis going down, or coming back empty,
 * reopens no replay on this node. Redis down: the primary's store (or this process's) takes over, and entries made
 * meanwhile keep being checked after Redis returns, until they can have expired (one maximum window after it
 * returned). Across nodes, while Redis is down or just back empty, a request accepted on one node may be accepted
 * once more on each other node (SECURITY.md states this bound). Restarts without Redis: replay-horizon.ts.
 */
import { MAX_TIMESTAMP_LEAD_MS, MAX_WINDOW_MS, type SignedRequest } from '../protocol/signed-request.ts';
import type { RedisLink } from '../store/redis-link.ts';
import {
  isReplayGuarded,
  REPLAY_MODES,
  REPLAY_OUTCOMES,
  REPLAYED,
  replayEntryExpiresAt,
  type ReplayMode,
  type ReplayOutcome,
} from './replay-decision.ts';
import { openReplayHorizon } from './replay-horizon.ts';
import { ReplayStore } from './replay-store.ts';

/** A replay store shared with other processes (the cluster primary's); rejects when it cannot answer. */
export interface SharedReplayStore {
  claim: (signature: string, expiresAt: number, owner: string, timestamp: number) => Promise<ReplayOutcome>;
}

export interface ReplayGuardOptions {
  mode?: ReplayMode;
  /** Most signatures held per store (default 250,000: about 50 MB at worst). */
  maxEntries?: number;
  /** The share of a store one subaccount may hold, from 0 (exclusive) to 1 (default 0.1). */
  subaccountShare?: number;
  redis?: RedisLink;
  /** The cluster primary's store, for workers (server/cluster-shared.ts). */
  shared?: SharedReplayStore;
  /**
   * This process holds the node's store (no cluster primary): the file that carries, across a restart, the latest
   * timestamp it may have accepted (replay-horizon.ts). None: a restart forgets (tests, embedded verifiers).
   */
  horizonFile?: string;
  log?: { warn: (message: string) => void };
}

export interface ReplayStats {
  replays: number;
  refusedFull: number;
  redisFallbacks: number;
  /** Claims the cluster primary did not answer, decided in this process instead. */
  sharedFallbacks: number;
  /** Refused because the subaccount held its share of the store. */
  refusedShare: number;
}

const ACCEPTED: ReplayOutcome = { ok: true };
const KEY_PREFIX = 'signet:replay:';
/**
 * How much longer than its window (by the accepting node's clock) an entry stays in Redis: another node whose clock
 * is behind accepts the request for longer, and must still find the entry. Clocks of nodes sharing a Redis that
 * differ by up to this much cannot open a replay; each node compares its clock with Redis's when the link comes up
 * and warns past half of it (redis-link.ts).
 */
export const CLOCK_SKEW_ALLOWANCE_MS = 60_000;
const HELD_PREFIX = 'signet:replay-held:';

/**
 * The claim in Redis, one round trip: refused as replayed if the entry exists; else, below the owner's share, the
 * entry is set with its lifetime and added to the owner's sorted set (scored by when it expires, by the claiming
 * node's clock). Expired members are dropped only when the set looks full, so the common case is five O(1)/O(log n)
 * commands. The set itself expires after the longest lifetime an entry can have. Answers with the index of
 * replay-decision.ts's REPLAY_OUTCOMES.
 */
const CLAIM_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 1 end
local cap = tonumber(ARGV[2])
if redis.call('ZCARD', KEYS[2]) >= cap then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[4])
  if redis.call('ZCARD', KEYS[2]) >= cap then return 3 end
end
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
redis.call('ZADD', KEYS[2], tonumber(ARGV[4]) + tonumber(ARGV[1]), ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return 0`;

/** The longest an entry can live in Redis: the longest window, the lead, the skew allowance. */
const LONGEST_ENTRY_MS = MAX_WINDOW_MS + MAX_TIMESTAMP_LEAD_MS + CLOCK_SKEW_ALLOWANCE_MS + 1;

type ClaimingClient = RedisLink['client'] & {
  signetReplayClaim?: (
    entry: string,
    held: string,
    ttl: number,
    cap: number,
    member: string,
    now: number,
    heldTtl: number,
  ) => Promise<number>;
};

export function replayOptionsFromEnv(
  env: NodeJS.ProcessEnv,
): Pick<ReplayGuardOptions, 'mode' | 'maxEntries' | 'subaccountShare' | 'horizonFile'> {
  const mode = (env.SIGNET_REPLAY?.trim().toLowerCase() || 'mutating') as ReplayMode;
  if (!REPLAY_MODES.includes(mode)) throw new Error('SIGNET_REPLAY must be mutating, all or off');
  const maxText = env.SIGNET_REPLAY_MAX_ENTRIES?.trim();
  const maxEntries = maxText ? Number(maxText) : undefined;
  if (maxEntries !== undefined && !(Number.isInteger(maxEntries) && maxEntries >= 1)) {
    throw new Error('SIGNET_REPLAY_MAX_ENTRIES must be a positive whole number');
  }
  const shareText = env.SIGNET_REPLAY_SUBACCOUNT_SHARE?.trim().replace(/%$/, '').trim();
  const sharePercent = shareText ? Number(shareText) : undefined;
  if (sharePercent !== undefined && !(sharePercent > 0 && sharePercent <= 100)) {
    throw new Error('SIGNET_REPLAY_SUBACCOUNT_SHARE must be a percentage above 0 and at most 100');
  }
  return {
    mode,
    maxEntries,
    subaccountShare: sharePercent === undefined ? undefined : sharePercent / 100,
    horizonFile: env.SIGNET_REPLAY_HORIZON_FILE?.trim() || undefined,
  };
}

export class ReplayGuard {
  readonly mode: ReplayMode;
  readonly stats: ReplayStats = {
    replays: 0,
    refusedFull: 0,
    redisFallbacks: 0,
    sharedFallbacks: 0,
    refusedShare: 0,
  };
  private readonly local: ReplayStore;
  private sharedFailureLogged = false;

  constructor(private readonly options: ReplayGuardOptions = {}) {
    this.mode = options.mode ?? 'mutating';
    const horizon =
      options.horizonFile === undefined
        ? undefined
        : openReplayHorizon(options.horizonFile, { log: options.log });
    this.local = new ReplayStore({
      maxEntries: options.maxEntries,
      ownerShare: options.subaccountShare,
      log: options.log,
      refuseSignedThrough: horizon?.refuseSignedThrough,
      persistHorizon: horizon?.persist,
    });
  }

  /** How many signatures this process holds now. */
  get size(): number {
    return this.local.size;
  }

  /**
   * Accepts a request's signature once inside its window, charged to `owner` (the key's subaccount); call after
   * the signature verified and the rate limits let the request through.
   */
  async claim(request: SignedRequest, now: number, owner = ''): Promise<ReplayOutcome> {
    if (!isReplayGuarded(this.mode, request.route)) return ACCEPTED;
    const expiresAt = replayEntryExpiresAt(request);
    if (this.local.holds(request.signature, now)) return this.count(REPLAYED);

    const { redis, shared } = this.options;
    if (redis !== undefined && redis.isUp()) {
      const inRedis = await this.claimInRedis(redis, request.signature, expiresAt, now, owner);
      if (inRedis === 'accepted') return this.keepAccepted(redis, request, expiresAt, now, owner);
      if (inRedis !== 'failed') return this.count(inRedis);
    }
    if (redis !== undefined) this.stats.redisFallbacks++;
    if (shared !== undefined) return this.claimShared(request, expiresAt, now, owner);
    return this.count(this.local.claim(request.signature, expiresAt, now, owner, request.timestamp));
  }

  /**
   * Redis accepted the signature: it is kept on this node too (this process's store, or the cluster primary's), so
   * the same request is still refused here while Redis is down and after Redis returns empty. The node's store
   * can still refuse it: as replayed (Redis lost the entry: it restarted empty), or as signed before this node
   * restarted (and Redis did not have it). Its being full or the subaccount's share never refuses a request
   * Redis accepted. With workers, the primary is told without waiting for its answer, except just after an outage
   * (one longest window), while Redis may have lost entries the primary holds.
   */
  private async keepAccepted(
    redis: RedisLink,
    request: SignedRequest,
    expiresAt: number,
    now: number,
    owner: string,
  ): Promise<ReplayOutcome> {
    const { shared } = this.options;
    if (shared === undefined) {
      return this.unlessRefusedAsReplay(
        this.local.claim(request.signature, expiresAt, now, owner, request.timestamp),
      );
    }
    if (now - redis.upAgainAt <= MAX_WINDOW_MS + MAX_TIMESTAMP_LEAD_MS + 1) {
      return this.unlessRefusedAsReplay(await this.claimShared(request, expiresAt, now, owner));
    }
    shared.claim(request.signature, expiresAt, owner, request.timestamp).catch(() => {});
    return ACCEPTED;
  }

  private unlessRefusedAsReplay(kept: ReplayOutcome): ReplayOutcome {
    return kept.ok || kept.reason === 'full' || kept.reason === 'share' ? ACCEPTED : this.count(kept);
  }

  private async claimInRedis(
    redis: RedisLink,
    signature: string,
    expiresAt: number,
    now: number,
    owner: string,
  ): Promise<'accepted' | 'failed' | ReplayOutcome> {
    const client = redis.client as ClaimingClient;
    if (client.signetReplayClaim === undefined) {
      client.defineCommand('signetReplayClaim', { numberOfKeys: 2, lua: CLAIM_SCRIPT });
    }
    try {
      const answer = await client.signetReplayClaim!(
        KEY_PREFIX + signature,
        HELD_PREFIX + owner,
        Math.max(1, expiresAt - now) + CLOCK_SKEW_ALLOWANCE_MS,
        this.local.maxPerOwner,
        signature,
        now,
        LONGEST_ENTRY_MS,
      );
      return answer === 0 ? 'accepted' : (REPLAY_OUTCOMES[answer] ?? REPLAYED);
    } catch {
      redis.markDown();
      return 'failed';
    }
  }

  private async claimShared(
    request: SignedRequest,
    expiresAt: number,
    now: number,
    owner: string,
  ): Promise<ReplayOutcome> {
    const { signature, timestamp } = request;
    try {
      const outcome = await this.options.shared!.claim(signature, expiresAt, owner, timestamp);
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
      return this.count(this.local.claim(signature, expiresAt, now, owner, timestamp));
    }
  }

  /** Counts refusals in this process's stats, wherever they were decided. */
  private count(outcome: ReplayOutcome): ReplayOutcome {
    if (outcome.ok) return outcome;
    if (outcome.reason === 'replayed' || outcome.reason === 'restarted') this.stats.replays++;
    else if (outcome.reason === 'share') this.stats.refusedShare++;
    else this.stats.refusedFull++;
    return outcome;
  }
}
