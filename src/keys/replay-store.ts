/**
 * The in-memory replay store: signatures accepted inside their window, each kept until its window has passed.
 * One process's own store (replay-guard.ts, without Redis) and the cluster primary's store shared by its workers
 * (server/cluster-shared.ts) are both this class, so the rules below hold the same way in both places.
 *
 * Bounded memory: at most `maxEntries`; expired entries are swept as time passes, and when the store is full a new
 * signature is refused (never an old entry evicted, which would reopen its replay), logged once per episode and
 * counted in `stats.refusedFull`. Each entry is charged to its owner (the key's subaccount), and one owner holds at
 * most `ownerShare` of the store (default 10 %): past that only its own requests are refused (429), so one tenant
 * cannot fill the store for the others. Entries live until `timestamp + window`, and a timestamp may be at most 5 s
 * ahead of the server (protocol/signed-request.ts), so an entry lives at most `window + 5 s` after it was claimed.
 *
 * Restarts: entries live in memory only. `refuseSignedThrough` (replay-horizon.ts) is the latest timestamp the
 * previous run of this store could have accepted; a request signed at or before it is refused, because it may have
 * been accepted before the restart. Synchronous: no I/O, `now` is a parameter.
 */
import {
  REPLAY_SHARE_FULL,
  REPLAY_STORE_FULL,
  REPLAYED,
  SIGNED_BEFORE_RESTART,
  type ReplayOutcome,
} from './replay-decision.ts';
import { STEP_MS } from './replay-horizon.ts';

export interface ReplayStoreStats {
  replays: number;
  refusedFull: number;
  /** Refused because their owner held its share of the store. */
  refusedShare: number;
}

export interface ReplayStoreOptions {
  /** Most signatures held (default 250,000: about 50 MB at worst). */
  maxEntries?: number;
  /** The share of `maxEntries` one owner may hold, from 0 (exclusive) to 1 (default 0.1). */
  ownerShare?: number;
  /** Requests signed at or before this instant (ms) are refused: the previous run may have accepted them. */
  refuseSignedThrough?: number;
  /**
   * Called (synchronously) before a timestamp later than any promised so far is accepted, with the new promise:
   * replay-horizon.ts writes it, so the next run knows which requests this one may have accepted.
   */
  persistHorizon?: (through: number) => void;
  log?: { warn: (message: string) => void };
}

const ACCEPTED: ReplayOutcome = { ok: true };

interface Entry {
  expiresAt: number;
  owner: string;
}

export const DEFAULT_OWNER_SHARE = 0.1;

export class ReplayStore {
  readonly stats: ReplayStoreStats = { replays: 0, refusedFull: 0, refusedShare: 0 };
  readonly maxEntries: number;
  /** Most entries one owner may hold. */
  readonly maxPerOwner: number;
  /** signature -> when it may be forgotten (ms) and whose it is; insertion order is roughly expiry order. */
  private readonly seen = new Map<string, Entry>();
  /** owner -> entries it holds now. */
  private readonly held = new Map<string, number>();
  private nextSweepAt = 0;
  private fullLogged = false;
  private refuseSignedThrough: number;
  /** The latest timestamp `persistHorizon` was told this store may accept. */
  private promisedThrough = -Infinity;

  constructor(private readonly options: ReplayStoreOptions = {}) {
    this.maxEntries = options.maxEntries ?? 250_000;
    this.maxPerOwner = Math.max(1, Math.floor(this.maxEntries * (options.ownerShare ?? DEFAULT_OWNER_SHARE)));
    this.refuseSignedThrough = options.refuseSignedThrough ?? -Infinity;
  }

  /** How many signatures the store holds now. */
  get size(): number {
    return this.seen.size;
  }

  /** How many signatures `owner` holds now. */
  heldBy(owner: string): number {
    return this.held.get(owner) ?? 0;
  }

  /** True when `signature` was accepted and its window has not passed. */
  holds(signature: string, now: number): boolean {
    const entry = this.seen.get(signature);
    return entry !== undefined && entry.expiresAt > now;
  }

  /**
   * Accepts `signature` once until `expiresAt`, charged to `owner`; refuses it as replayed, as signed before a
   * restart (`timestamp` at or before `refuseSignedThrough`), when `owner` holds its share, or when the store is full.
   */
  claim(signature: string, expiresAt: number, now: number, owner = '', timestamp = Infinity): ReplayOutcome {
    if (now >= this.nextSweepAt || (this.seen.size >= this.maxEntries && this.oldestExpired(now))) {
      this.sweep(now);
    }
    if (this.holds(signature, now)) {
      this.stats.replays++;
      return REPLAYED;
    }
    if (timestamp <= this.refuseSignedThrough) return SIGNED_BEFORE_RESTART;
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
    const holding = this.held.get(owner) ?? 0;
    if (holding >= this.maxPerOwner) {
      this.stats.refusedShare++;
      return REPLAY_SHARE_FULL;
    }
    this.fullLogged = false;
    if (timestamp > this.promisedThrough && this.options.persistHorizon && Number.isFinite(timestamp)) {
      this.promisedThrough = timestamp + STEP_MS;
      this.options.persistHorizon(this.promisedThrough);
    }
    this.seen.set(signature, { expiresAt, owner });
    this.held.set(owner, holding + 1);
    return ACCEPTED;
  }

  /**
   * While full, a sweep runs early only when the oldest entry has expired: sweeping on every refused request would
   * cost a pass over the whole store each time (a flood while full would stall the process). Entries are inserted
   * roughly in expiry order, so a full store refuses at most 250 ms longer than strictly needed.
   */
  private oldestExpired(now: number): boolean {
    const oldest = this.seen.values().next();
    return oldest.done !== true && oldest.value.expiresAt <= now;
  }

  /** Forgets entries whose window has passed; at most once every 250 ms unless the store is full. */
  private sweep(now: number): void {
    this.nextSweepAt = now + 250;
    for (const [signature, entry] of this.seen) {
      if (entry.expiresAt > now) continue;
      this.seen.delete(signature);
      const left = (this.held.get(entry.owner) ?? 1) - 1;
      if (left > 0) this.held.set(entry.owner, left);
      else this.held.delete(entry.owner);
    }
    // Past the previous run's last possible acceptance plus the longest window, the rule refuses nothing more.
    if (this.refuseSignedThrough !== -Infinity && now > this.refuseSignedThrough + 120_000) {
      this.refuseSignedThrough = -Infinity;
    }
  }
}
