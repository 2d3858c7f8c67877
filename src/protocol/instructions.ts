/**
 * Backpack's instruction table: which instruction names each signed (method, path), and what kind of action it is.
 *
 * The gateway knows the whole table, built or not, so permissions are uniform: a read-only key is refused on
 * `POST /api/v1/order` whether or not orders exist yet. `query` instructions only read; everything else
 * (`trade`, `withdraw`, `settings`) changes state and needs a full-access key.
 * Source: the "Instruction:" line of each operation in Backpack's API documentation (https://docs.backpack.exchange);
 * the official Rust client (`backpack-exchange/bpx-api-client`, `client/src/lib.rs`) and ccxt's `backpack` class
 * (`options.instructions`) agree.
 */

export type InstructionKind = 'query' | 'trade' | 'withdraw' | 'settings';

export interface InstructionRoute {
  /** PUT only on gateway routes (an operator's own API); Backpack's instructions use the other four. */
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly instruction: string;
  readonly kind: InstructionKind;
  /** The body is a JSON array signed as one segment per item (`POST /api/v1/orders`). */
  readonly batch?: boolean;
}

const q = (path: string, instruction: string): InstructionRoute => ({
  method: 'GET',
  path,
  instruction,
  kind: 'query',
});
const t = (method: InstructionRoute['method'], path: string, instruction: string): InstructionRoute => ({
  method,
  path,
  instruction,
  kind: 'trade',
});

export const INSTRUCTION_ROUTES: readonly InstructionRoute[] = [
  // Account
  q('/api/v1/account', 'accountQuery'),
  { method: 'PATCH', path: '/api/v1/account', instruction: 'accountUpdate', kind: 'settings' },
  t('POST', '/api/v1/account/convertDust', 'convertDust'),
  q('/api/v1/account/limits/borrow', 'maxBorrowQuantity'),
  q('/api/v1/account/limits/order', 'maxOrderQuantity'),
  q('/api/v1/account/limits/withdrawal', 'maxWithdrawalQuantity'),
  // Capital
  q('/api/v1/capital', 'balanceQuery'),
  q('/api/v1/capital/collateral', 'collateralQuery'),
  q('/wapi/v1/capital/deposits', 'depositQueryAll'),
  q('/wapi/v1/capital/deposit/address', 'depositAddressQuery'),
  q('/wapi/v1/capital/withdrawals', 'withdrawalQueryAll'),
  { method: 'POST', path: '/wapi/v1/capital/withdrawals', instruction: 'withdraw', kind: 'withdraw' },
  // Positions, borrow/lend
  q('/api/v1/position', 'positionQuery'),
  q('/api/v1/borrowLend/positions', 'borrowLendPositionQuery'),
  t('POST', '/api/v1/borrowLend', 'borrowLendExecute'),
  // Orders
  q('/api/v1/order', 'orderQuery'),
  t('POST', '/api/v1/order', 'orderExecute'),
  t('DELETE', '/api/v1/order', 'orderCancel'),
  q('/api/v1/orders', 'orderQueryAll'),
  { method: 'POST', path: '/api/v1/orders', instruction: 'orderExecute', kind: 'trade', batch: true },
  t('DELETE', '/api/v1/orders', 'orderCancelAll'),
  // History
  q('/wapi/v1/history/orders', 'orderHistoryQueryAll'),
  q('/wapi/v1/history/fills', 'fillHistoryQueryAll'),
  q('/wapi/v1/history/funding', 'fundingHistoryQueryAll'),
  q('/wapi/v1/history/borrowLend', 'borrowHistoryQueryAll'),
  q('/wapi/v1/history/interest', 'interestHistoryQueryAll'),
  q('/wapi/v1/history/borrowLend/positions', 'borrowPositionHistoryQueryAll'),
  q('/wapi/v1/history/dust', 'dustHistoryQueryAll'),
  q('/wapi/v1/history/position', 'positionHistoryQueryAll'),
  // Removed by Backpack on 2025-08-07; ccxt and bpx-py still list it.
  q('/wapi/v1/history/pnl', 'pnlHistoryQueryAll'),
  q('/wapi/v1/history/settlement', 'settlementHistoryQueryAll'),
  q('/wapi/v1/history/strategies', 'strategyHistoryQueryAll'),
  q('/wapi/v1/history/rfq', 'rfqHistoryQueryAll'),
  q('/wapi/v1/history/quote', 'quoteHistoryQueryAll'),
  q('/wapi/v1/history/rfq/fill', 'rfqFillHistoryQueryAll'),
  q('/wapi/v1/history/quote/fill', 'quoteFillHistoryQueryAll'),
  q('/wapi/v1/history/vault/mint', 'vaultMintHistoryQueryAll'),
  q('/wapi/v1/history/vault/redeem', 'vaultRedeemHistoryQueryAll'),
  // Strategies
  q('/api/v1/strategy', 'strategyQuery'),
  t('POST', '/api/v1/strategy', 'strategyCreate'),
  t('DELETE', '/api/v1/strategy', 'strategyCancel'),
  q('/api/v1/strategies', 'strategyQueryAll'),
  t('DELETE', '/api/v1/strategies', 'strategyCancelAll'),
  // RFQ
  t('POST', '/api/v1/rfq', 'rfqSubmit'),
  t('POST', '/api/v1/rfq/accept', 'quoteAccept'),
  t('POST', '/api/v1/rfq/refresh', 'rfqRefresh'),
  t('POST', '/api/v1/rfq/cancel', 'rfqCancel'),
  t('POST', '/api/v1/rfq/quote', 'quoteSubmit'),
  q('/api/v1/rfqs', 'rfqQuery'),
  // Vaults
  t('POST', '/api/v1/vault/mint', 'vaultMint'),
  t('POST', '/api/v1/vault/redeem', 'vaultRedeemRequest'),
  t('DELETE', '/api/v1/vault/redeem', 'vaultRedeemCancel'),
  q('/api/v1/vault/redeems/pending', 'vaultPendingRedeemsQuery'),
  q('/api/v1/vault/nav', 'vaultNavQuery'),
  // Two-factor token (Rust client only)
  { method: 'POST', path: '/wapi/v1/user/2fa', instruction: 'issueTwoFactorToken', kind: 'settings' },
];

/**
 * A signed WebSocket SUBSCRIBE (`account.*` streams) signs `instruction=subscribe&timestamp=..&window=..`. It has no
 * HTTP route: the stream server verifies it under this pseudo path with the REST verifier (a read-only key may
 * subscribe). Not in INSTRUCTION_ROUTES, so no HTTP route is ever registered for it.
 */
export const STREAM_SUBSCRIBE_ROUTE: InstructionRoute = {
  method: 'GET',
  path: 'ws:subscribe',
  instruction: 'subscribe',
  kind: 'query',
};

const byMethodAndPath = new Map<string, InstructionRoute>(
  [...INSTRUCTION_ROUTES, STREAM_SUBSCRIBE_ROUTE].map((route) => [`${route.method} ${route.path}`, route]),
);

/** The instruction signed for `method path`, or undefined when the pair is not a signed Backpack route. */
export function findInstructionRoute(method: string, path: string): InstructionRoute | undefined {
  return byMethodAndPath.get(`${method.toUpperCase()} ${path}`);
}

/** Read-only keys may use `query` instructions only (Backpack: "view-only access"). */
export function isQueryInstruction(route: InstructionRoute): boolean {
  return route.kind === 'query';
}
