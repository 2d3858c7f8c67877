/**
 * State the workers of `signet serve --workers N` share through their cluster primary, when Redis is not configured
 * or is down: the replay store and the rate-limit counters. The primary holds them in memory (the same classes a
 * single process uses: keys/replay-store.ts and @fastify/rate-limit's LocalStore, so the rules are the same); a
 * worker asks over the node:cluster IPC channel and the primary's answer is authoritative, so a request replayed
 * to another worker is refused and a limit counts every worker's requests exactly once.
 *
 * Cost: one IPC round trip per replay check and per counted request. The calls a worker makes in one event-loop
 * turn travel as one message, and the primary answers each message with one message, so under load many requests
 * share a round trip. Measured (docs/DEPLOY.md, "One node on SQLite"): 22 us per round trip one at a time, 4-6 us of
worker CPU per signed order (a claim plus a count) under load, small beside a signed request's own cost.
 *
 * Fail safe: should the primary not answer within `timeoutMs` (it answers from memory; this means it is gone or
 * stuck), a call rejects and callers decide in their own process instead: replay checks fall back to the worker's
 * own store (replay-guard.ts), rate-limit calls answer with an error, which the limits treat as "not refused" (the
 * plugin's skipOnError). Never a refusal because of this channel.
 */
import cluster from 'node:cluster';

import {
  openReplayHorizon,
  REPLAY_OUTCOMES,
  replayOutcomeCode,
  ReplayStore,
  type ReplayOutcome,
  type SharedReplayStore,
} from '../keys/index.ts';
import {
  createLocalCounterStore,
  type CounterStore as PluginStore,
  type StoreCallback,
} from './rate-limit-stores.ts';

/** The part of a counter store the workers use (incr and read, like the plugin's own stores). */
type CounterStore = Pick<PluginStore, 'incr' | 'read'>;

/**
 * A call: [id, 'replay', signature, expiresAt, owner, timestamp] or [id, 'incr' | 'read', key, timeWindow, max].
 */
type SharedCall =
  [number, 'replay', string, number, string, number] | [number, 'incr' | 'read', string, number, number];
/** An answer: [id, index in REPLAY_OUTCOMES (0 accepted)] or [id, [current, ttl]]. */
type SharedAnswer = [number, number | [number, number]];

/** Messages between workers and their primary about shared state. */
export type SharedMessage =
  { type: 'signet:shared'; calls: SharedCall[] } | { type: 'signet:shared-answers'; answers: SharedAnswer[] };

interface PendingCall {
  resolve: (answer: SharedAnswer[1]) => void;
  reject: (error: Error) => void;
  /** When the call was made (ms): unanswered past the timeout, it is rejected. */
  at: number;
}

/** In the primary, before forking: answers the workers' calls from memory. */
export function hostClusterShared(options: {
  maxReplayEntries?: number;
  subaccountShare?: number;
  /** Carries the store's horizon across restarts of the node (keys/replay-horizon.ts); none when absent. */
  horizonFile?: string;
  log: { warn: (message: string) => void };
}): { replay: ReplayStore } {
  const horizon =
    options.horizonFile === undefined
      ? undefined
      : openReplayHorizon(options.horizonFile, { log: options.log });
  const replay = new ReplayStore({
    maxEntries: options.maxReplayEntries,
    ownerShare: options.subaccountShare,
    log: options.log,
    refuseSignedThrough: horizon?.refuseSignedThrough,
    persistHorizon: horizon?.persist,
  });
  // The same settings as a single process's store (plugins/rate-limits.ts); keys carry the limit's prefix.
  const counters = createLocalCounterStore();
  cluster.on('message', (worker, message: SharedMessage) => {
    if (message?.type !== 'signet:shared') return;
    const now = Date.now();
    const answers: SharedAnswer[] = [];
    for (const call of message.calls) {
      if (call[1] === 'replay') {
        answers.push([call[0], replayOutcomeCode(replay.claim(call[2], call[3], now, call[4], call[5]))]);
      } else {
        // LocalStore answers synchronously.
        counters[call[1]](
          call[2],
          (_error, result) => answers.push([call[0], [result?.current ?? 0, result?.ttl ?? 0]]),
          call[3],
          call[4],
        );
      }
    }
    if (worker.isConnected()) {
      worker.send({ type: 'signet:shared-answers', answers } satisfies SharedMessage);
    }
  });
  return { replay };
}

/** In a worker: the primary's replay store and rate-limit counters, over IPC. */
export class ClusterSharedClient implements SharedReplayStore {
  private readonly pending = new Map<number, PendingCall>();
  private queue: SharedCall[] = [];
  private nextId = 0;
  private readonly timeoutMs: number;
  private readonly onMessage = (message: SharedMessage): void => {
    if (message?.type !== 'signet:shared-answers') return;
    for (const [id, answer] of message.answers) {
      const call = this.pending.get(id);
      if (call === undefined) continue; // timed out already
      this.pending.delete(id);
      call.resolve(answer);
    }
  };

  /** One timer for every call in flight (not one per message): rejects the calls unanswered past the timeout. */
  private readonly sweeper: NodeJS.Timeout;

  constructor(options: { timeoutMs?: number } = {}) {
    this.timeoutMs = options.timeoutMs ?? 2000;
    process.on('message', this.onMessage);
    this.sweeper = setInterval(() => this.rejectLate(), Math.max(10, this.timeoutMs / 4));
    this.sweeper.unref();
  }

  async claim(
    signature: string,
    expiresAt: number,
    owner: string,
    timestamp: number,
  ): Promise<ReplayOutcome> {
    const answer = await this.call((id) => [id, 'replay', signature, expiresAt, owner, timestamp]);
    const outcome = typeof answer === 'number' ? REPLAY_OUTCOMES[answer] : undefined;
    if (outcome === undefined) throw new Error('unexpected answer from the cluster primary');
    return outcome;
  }

  /** A @fastify/rate-limit store counting in the primary (plugins/rate-limits.ts). */
  readonly counters: CounterStore = {
    incr: (key, callback, timeWindow, max) => this.count('incr', key, callback, timeWindow, max),
    read: (key, callback, timeWindow, max) => this.count('read', key, callback, timeWindow, max),
  };

  close(): void {
    process.off('message', this.onMessage);
    clearInterval(this.sweeper);
  }

  /** Calls are kept in the order they were made, so the late ones are at the front. */
  private rejectLate(): void {
    const now = Date.now();
    for (const [id, call] of this.pending) {
      if (now - call.at < this.timeoutMs) return;
      this.pending.delete(id);
      call.reject(new Error('the cluster primary did not answer in time'));
    }
  }

  private count(
    method: 'incr' | 'read',
    key: string,
    callback: StoreCallback,
    timeWindow: number,
    max: number,
  ): void {
    this.call((id) => [id, method, key, timeWindow, max]).then(
      (answer) =>
        typeof answer === 'number'
          ? callback(new Error('unexpected answer from the cluster primary'))
          : callback(null, { current: answer[0], ttl: answer[1] }),
      (error: Error) => callback(error),
    );
  }

  private call(make: (id: number) => SharedCall): Promise<SharedAnswer[1]> {
    const id = (this.nextId = (this.nextId + 1) % Number.MAX_SAFE_INTEGER);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, at: Date.now() });
      // The calls of one event-loop turn go out as one message.
      if (this.queue.length === 0) setImmediate(() => this.flush());
      this.queue.push(make(id));
    });
  }

  private flush(): void {
    const calls = this.queue;
    this.queue = [];
    const fail = (reason: string): void => {
      for (const [id] of calls) {
        const call = this.pending.get(id);
        if (call === undefined) continue;
        this.pending.delete(id);
        call.reject(new Error(reason));
      }
    };
    const message: SharedMessage = { type: 'signet:shared', calls };
    if (process.send === undefined || !process.connected) {
      fail('no cluster primary');
      return;
    }
    process.send(message, undefined, {}, (error: Error | null) => {
      if (error !== null) fail(`could not reach the cluster primary: ${error.message}`);
    });
  }
}
