/**
 * Replay refusal, the decisions (pure). A signed request whose signature was already accepted inside its window
 * is refused: an attacker who captured one signed withdrawal or order (a log, a proxy, a shoulder) cannot make it
 * happen twice. Signatures are canonical (one spelling per signature, signed-request.ts) and ED25519 is
 * deterministic, so "the same request" is exactly "the same signature text".
 *
 * Scope (SIGNET_REPLAY): `mutating` (default) covers every non-query instruction (orders, cancels, withdrawals);
 * `all` covers queries too; `off` turns refusal off. An entry is needed only while the request could still pass
 * the time window, that is until timestamp + window (a request is valid while |now - timestamp| <= window).
 */
import type { InstructionRoute } from '../protocol/instructions.ts';

export type ReplayMode = 'mutating' | 'all' | 'off';

export const REPLAY_MODES: readonly ReplayMode[] = ['mutating', 'all', 'off'];

export function isReplayGuarded(mode: ReplayMode, route: Pick<InstructionRoute, 'kind'>): boolean {
  if (mode === 'off') return false;
  return mode === 'all' || route.kind !== 'query';
}

/** When the entry for a request may be forgotten: after this, the window check refuses the request anyway. */
export function replayEntryExpiresAt(request: { timestamp: number; window: number }): number {
  return request.timestamp + request.window + 1;
}

export type ReplayOutcome =
  | { ok: true }
  | {
      ok: false;
      code: 'UNAUTHORIZED' | 'TOO_MANY_REQUESTS';
      message: string;
      reason: 'replayed' | 'full' | 'share' | 'restarted';
    };

export const REPLAYED: ReplayOutcome = {
  ok: false,
  code: 'UNAUTHORIZED',
  message: 'Request already used: sign a new request with a new timestamp',
  reason: 'replayed',
};

/** The store is full (never evicted: an evicted entry would let its request be replayed). */
export const REPLAY_STORE_FULL: ReplayOutcome = {
  ok: false,
  code: 'TOO_MANY_REQUESTS',
  message: 'The server cannot accept more signed requests right now; retry in a few seconds',
  reason: 'full',
};

/**
 * One subaccount holds its share of the store (SIGNET_REPLAY_SUBACCOUNT_SHARE, default 10 %): only its own
 * requests are refused, so one tenant cannot fill the store for everyone.
 */
export const REPLAY_SHARE_FULL: ReplayOutcome = {
  ok: false,
  code: 'TOO_MANY_REQUESTS',
  message:
    'Too many signed requests of this subaccount inside their windows: retry in a few seconds (or use shorter windows)',
  reason: 'share',
};

/**
 * Signed before this store started (the server restarted): the entries of the previous run are gone, so a request
 * that could have been accepted before the restart is refused. The client signs it again with a new timestamp.
 */
export const SIGNED_BEFORE_RESTART: ReplayOutcome = {
  ok: false,
  code: 'UNAUTHORIZED',
  message: 'Request signed before the server restarted: sign it again with a new timestamp',
  reason: 'restarted',
};

/** The outcomes as small numbers (the cluster primary's answers, server/cluster-shared.ts) and back. */
export const REPLAY_OUTCOMES: readonly ReplayOutcome[] = [
  { ok: true },
  REPLAYED,
  REPLAY_STORE_FULL,
  REPLAY_SHARE_FULL,
  SIGNED_BEFORE_RESTART,
];

export function replayOutcomeCode(outcome: ReplayOutcome): number {
  return Math.max(0, REPLAY_OUTCOMES.indexOf(outcome));
}
