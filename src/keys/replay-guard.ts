/**
 * Replay refusal, the I/O: remembers accepted signatures until their window has passed, per process or, with
 * Redis, shared by every node (`SET signet:replay:<signature> 1 NX PX <ms until the window ends>`), so a request
 * replayed to another node is refused too. The decisions are in replay-decision.ts.
 *
 * Bounded memory: the per-process store holds at most `maxEntries`; expired entries are swept as time passes, and
 * when the store is full a new request is refused (never an old entry evicted, which would reopen its replay),
 * logged once per episode and counted in `stats.refusedFull`.
 * Redis down: the per-process store takes over (replays to the same node are still refused) and entries made
 * meanwhile keep being checked after Redis returns, until they expire.
 */
import type { SignedRequest } from '../protocol/signed-request.ts';
import type { RedisLink } from '../store/redis-link.ts';
import {
  isReplayGuarded,
  REPLAY_MODES,
  REPLAY_STORE_FULL,
  REPLAYED,
  replayEntryExpiresAt,
  type ReplayMode,
  type ReplayOutcome,
} from './replay-decision.ts';

export interface ReplayGuardOptions {
  mode?: ReplayMode;
  /** Most signatures held per process (default 250,000: about 50 MB at worst). */
  maxEntries?: number;
  redis?: RedisLink;
  log?: { warn: (message: string) => void };
}

export interface ReplayStats {
  replays: number;
  refusedFull: number;
  redisFallbacks: number;
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
  readonly stats: ReplayStats = { replays: 0, refusedFull: 0, redisFallbacks: 0 };
  private readonly maxEntries: number;
  /** signature -> when it may be forgotten (ms); insertion order is roughly expiry order. */
  private readonly seen = new Map<string, number>();
  private nextSweepAt = 0;
  private fullLogged = false;

  constructor(private readonly options: ReplayGuardOptions = {}) {
    this.mode = options.mode ?? 'mutating';
    this.maxEntries = options.maxEntries ?? 250_000;
  }

  /** How many signatures this process holds now. */
  get size(): number {
    return this.seen.size;
  }

  /** Accepts a request's signature once inside its window; call after the signature verified. */
  async claim(request: SignedRequest, now: number): Promise<ReplayOutcome> {
    if (!isReplayGuarded(this.mode, request.route)) return ACCEPTED;
    const expiresAt = replayEntryExpiresAt(request);
    const local = this.seen.get(request.signature);
    if (local !== undefined && local > now) return this.replayed();

    const redis = this.options.redis;
    if (redis !== undefined && redis.isUp()) {
      try {
        const set = await redis.client.set(
          KEY_PREFIX + request.signature,
          '1',
          'PX',
          Math.max(1, expiresAt - now),
          'NX',
        );
        return set === 'OK' ? ACCEPTED : this.replayed();
      } catch {
        redis.markDown();
      }
    }
    if (redis !== undefined) this.stats.redisFallbacks++;
    return this.claimLocally(request.signature, expiresAt, now);
  }

  private claimLocally(signature: string, expiresAt: number, now: number): ReplayOutcome {
    if (now >= this.nextSweepAt || this.seen.size >= this.maxEntries) this.sweep(now);
    const existing = this.seen.get(signature);
    if (existing !== undefined && existing > now) return this.replayed();
    if (this.seen.size >= this.maxEntries) {
      this.stats.refusedFull++;
      if (!this.fullLogged) {
        this.fullLogged = true;
        this.options.log?.warn(
          `Replay store is full (${this.maxEntries} signatures inside their windows): refusing new signed requests until entries expire (SIGNET_REPLAY_MAX_ENTRIES)`,
        );
      }
      return REPLAY_STORE_FULL;
    }
    this.fullLogged = false;
    this.seen.set(signature, expiresAt);
    return ACCEPTED;
  }

  /** Forgets entries whose window has passed; at most once every 250 ms unless the store is full. */
  private sweep(now: number): void {
    this.nextSweepAt = now + 250;
    for (const [signature, expiresAt] of this.seen) {
      if (expiresAt <= now) this.seen.delete(signature);
    }
  }

  private replayed(): ReplayOutcome {
    this.stats.replays++;
    return REPLAYED;
  }
}
