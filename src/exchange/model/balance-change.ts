/**
 * One change to one balance row: what settlement computes (pure) and what the ledger applies (I/O). Deltas are
 * signed integers of the asset's smallest unit; a change never moves funds between accounts by itself.
 */
export interface BalanceChange {
  readonly accountId: string;
  readonly asset: string;
  readonly availableDelta: bigint;
  readonly lockedDelta: bigint;
}
