/**
 * The in-memory replay store: signatures accepted inside their window, each kept until its window has passed.
 * One process's own store (replay-guard.ts, without Redis) and the cluster primary's store shared by its workers
 * (server/cluster-shared.ts) are both this class, so the rules below hold the same way in both places.
 *
 * Bounded memory: at most `maxEntries`; expired entries are swept as time passes, and when the store is full a new
 * signature is refused (never an old entry evicted, which would reopen its replay), logged once per episode and
 * counted in `stats.refusedFull`. Synchronous: no I/O, `now` is a parameter.
 */
import { REPLAY_STORE_FULL, REPLAYED, type ReplayOutcome } from './replay-decision.ts';

export interface ReplayStoreStats {
  replays: number;
  refusedFull: number;
}

export interface ReplayStoreOptions {
  /** Most signatures held (default 250,000: about 50 MB at worst). */
  maxEntries?: number;
  log?: { warn: (message: string) => void };
}

const ACCEPTED: ReplayOutcome = { ok: true };

export class ReplayStore {
  readonly stats: ReplayStoreStats = { replays: 0, refusedFull: 0 };
  readonly maxEntries: number;
  /** signature -> when it may be forgotten (ms); insertion order is roughly expiry order. */
  private readonly seen = new Map<string, number>();
  private nextSweepAt = 0;
  private fullLogged = false;

  constructor(private readonly options: ReplayStoreOptions = {}) {
    this.maxEntries = options.maxEntries ?? 250_000;
  }

  /** How many signatures the store holds now. */
  get size(): number {
    return this.seen.size;
  }

  /** True when `signature` was accepted and its window has not passed. */
  holds(signature: string, now: number): boolean {
    const expiresAt = this.seen.get(signature);
    return expiresAt !== undefined && expiresAt > now;
  }

  /** Accepts `signature` once until `expiresAt`; refuses it as replayed, or when the store is full. */
  claim(signature: string, expiresAt: number, now: number): ReplayOutcome {
    if (now >= this.nextSweepAt || (this.seen.size >= this.maxEntries && this.oldestExpired(now))) {
      this.sweep(now);
    }
    if (this.holds(signature, now)) {
      this.stats.replays++;
      return REPLAYED;
    }
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

  /**
   * While full, a sweep runs early only when the oldest entry has expired: sweeping on every refused request would
   * cost a pass over the whole store each time (a flood while full would stall the process). Entries are inserted
   * roughly in expiry order, so a full store refuses at most 250 ms longer than strictly needed.
   */
  private oldestExpired(now: number): boolean {
    const oldest = this.seen.values().next();
    return oldest.done !== true && oldest.value <= now;
  }

  /** Forgets entries whose window has passed; at most once every 250 ms unless the store is full. */
  private sweep(now: number): void {
    this.nextSweepAt = now + 250;
    for (const [signature, expiresAt] of this.seen) {
      if (expiresAt <= now) this.seen.delete(signature);
    }
  }
}
