/**
 * The rest of Backpack's account surface that bots call at start-up, answered for a spot-only exchange:
 * - `PATCH /api/v1/account` (accountUpdate): stores the switches (see account-settings.ts); 200 with an empty body.
 * - `GET /api/v1/account/limits/borrow|order|withdrawal`: no borrowing ("0"); the largest order the available
 *   balance pays for (a Bid needs `price`, else the best ask; rounded down to the step); the available balance.
 * - `GET /api/v1/capital/collateral` (collateralQuery): every asset at full collateral weight (spot: no margin),
 *   valued at its last price in USDC (USDC itself at 1; an asset without a USDC market at 0).
 * All amounts are exact (bigint units); the subaccount always comes from the key.
 */
import { AppError } from '../../../errors.ts';
import {
  updateAccountSettings,
  validateAccountUpdate,
} from '../../../exchange/persistence/account-settings.ts';
import { formatDecimal, parseDecimal } from '../../../exchange/model/decimal.ts';
import type { Exchange } from '../../../exchange/exchange-service.ts';
import { requireMarket } from '../../../exchange/model/client-input.ts';
import type { SignedRoute } from '../../plugins/signed-api.ts';

const VALUE_ASSET = 'USDC';

function requireAssetDecimals(exchange: Exchange, symbol: unknown): { symbol: string; decimals: number } {
  const asset = typeof symbol === 'string' ? exchange.config.assetsBySymbol.get(symbol) : undefined;
  if (asset === undefined) throw new AppError('INVALID_ASSET', 'Unknown asset');
  return { symbol: asset.symbol, decimals: asset.decimals };
}

export function accountRoutes(exchange: Exchange, now: () => number): SignedRoute[] {
  const patchAccount: SignedRoute = {
    method: 'PATCH',
    url: '/api/v1/account',
    schema: {
      summary: 'Update account settings (accountUpdate)',
      tags: ['Account'],
      body: {
        type: 'object',
        properties: {
          autoBorrowSettlements: { type: 'boolean' },
          autoLend: { type: 'boolean' },
          autoRealizePnl: { type: 'boolean' },
          autoRepayBorrows: { type: 'boolean' },
          leverageLimit: { type: 'string' },
        },
      },
    },
    handler: async (request, reply) => {
      const update = validateAccountUpdate(request.body);
      await updateAccountSettings(exchange.db, request.caller.subaccountId, update, now());
      return reply.code(200).send();
    },
  };

  const borrowLimit: SignedRoute = {
    method: 'GET',
    url: '/api/v1/account/limits/borrow',
    schema: {
      summary: 'Largest borrow (maxBorrowQuantity): always 0 on spot',
      tags: ['Account'],
      querystring: { type: 'object', required: ['symbol'], properties: { symbol: { type: 'string' } } },
    },
    handler: async (request) => {
      const asset = requireAssetDecimals(exchange, (request.query as { symbol: string }).symbol);
      return { maxBorrowQuantity: '0', symbol: asset.symbol };
    },
  };

  const withdrawalLimit: SignedRoute = {
    method: 'GET',
    url: '/api/v1/account/limits/withdrawal',
    schema: {
      summary: 'Largest withdrawal (maxWithdrawalQuantity): the available balance',
      tags: ['Account'],
      querystring: {
        type: 'object',
        required: ['symbol'],
        properties: {
          symbol: { type: 'string' },
          autoBorrow: { type: 'boolean' },
          autoLendRedeem: { type: 'boolean' },
        },
      },
    },
    handler: async (request) => {
      const asset = requireAssetDecimals(exchange, (request.query as { symbol: string }).symbol);
      const balance = await exchange.ledger.readBalance(
        exchange.db,
        request.caller.subaccountId,
        asset.symbol,
      );
      return {
        maxWithdrawalQuantity: formatDecimal(balance.available, asset.decimals),
        symbol: asset.symbol,
      };
    },
  };

  const orderLimit: SignedRoute = {
    method: 'GET',
    url: '/api/v1/account/limits/order',
    schema: {
      summary: 'Largest order the available balance pays for (maxOrderQuantity)',
      tags: ['Account'],
      querystring: {
        type: 'object',
        required: ['symbol', 'side'],
        properties: {
          symbol: { type: 'string' },
          side: { type: 'string', enum: ['Bid', 'Ask'] },
          price: { type: 'string' },
          reduceOnly: { type: 'boolean' },
          autoBorrow: { type: 'boolean' },
          autoBorrowRepay: { type: 'boolean' },
          autoLendRedeem: { type: 'boolean' },
        },
      },
    },
    handler: async (request) => {
      const query = request.query as { symbol: string; side: 'Bid' | 'Ask'; price?: string };
      const market = requireMarket(exchange.config, query.symbol);
      const step = parseDecimal(market.stepSize, market.baseDecimals);
      const floorToStep = (units: bigint): bigint => (units / step) * step;
      const subaccountId = request.caller.subaccountId;
      let quantity: bigint;
      if (query.side === 'Ask') {
        quantity = floorToStep(
          (await exchange.ledger.readBalance(exchange.db, subaccountId, market.baseSymbol)).available,
        );
      } else {
        let price: bigint | null;
        try {
          price = query.price === undefined ? null : parseDecimal(query.price, market.quoteDecimals);
        } catch {
          throw new AppError('INVALID_PRICE', 'price must be a decimal string in the market’s tick');
        }
        if (price === null) {
          const depth = await exchange.getDepth(market.symbol, 1);
          price = depth.asks[0]?.[0] ?? null;
        }
        const available = (await exchange.ledger.readBalance(exchange.db, subaccountId, market.quoteSymbol))
          .available;
        quantity = price === null || price <= 0n ? 0n : floorToStep((available * market.baseScale) / price);
      }
      return {
        maxOrderQuantity: formatDecimal(quantity, market.baseDecimals),
        symbol: market.symbol,
        side: query.side,
      };
    },
  };

  const collateral: SignedRoute = {
    method: 'GET',
    url: '/api/v1/capital/collateral',
    schema: {
      summary: 'Collateral summary (collateralQuery): spot assets at full weight',
      tags: ['Capital'],
      querystring: { type: 'object', properties: { subaccountId: { type: 'string' } } },
    },
    handler: async (request) => {
      const value = exchange.config.assetsBySymbol.get(VALUE_ASSET);
      const valueDecimals = value?.decimals ?? 6;
      const balances = await exchange.readBalances(request.caller.subaccountId);
      const rows = [];
      let total = 0n;
      let locked = 0n;
      for (const [symbol, balance] of balances) {
        const asset = exchange.config.assetsBySymbol.get(symbol);
        if (asset === undefined) continue;
        const scale = 10n ** BigInt(asset.decimals);
        let price: bigint; // USDC units per whole unit of the asset
        if (symbol === VALUE_ASSET) price = scale === 0n ? 0n : 10n ** BigInt(valueDecimals);
        else {
          const market = exchange.config.marketsBySymbol.get(`${symbol}_${VALUE_ASSET}`);
          price = market === undefined ? 0n : ((await exchange.getTicker(market.symbol)).lastPrice ?? 0n);
        }
        const quantity = balance.available + balance.locked;
        const notional = (quantity * price) / scale;
        total += notional;
        locked += (balance.locked * price) / scale;
        const money = (units: bigint): string => formatDecimal(units, valueDecimals);
        const amount = (units: bigint): string => formatDecimal(units, asset.decimals);
        rows.push({
          symbol,
          assetMarkPrice: money(price),
          totalQuantity: amount(quantity),
          balanceNotional: money(notional),
          collateralWeight: '1',
          collateralValue: money(notional),
          openOrderQuantity: amount(balance.locked),
          lendQuantity: '0',
          availableQuantity: amount(balance.available),
        });
      }
      const money = (units: bigint): string => formatDecimal(units, valueDecimals);
      return {
        assetsValue: money(total),
        borrowLiability: '0',
        collateral: rows,
        imf: '0',
        unsettledEquity: '0',
        liabilitiesValue: '0',
        marginFraction: null,
        mmf: '0',
        netEquity: money(total),
        netEquityAvailable: money(total - locked),
        netEquityLocked: money(locked),
        netExposureFutures: '0',
        pnlUnrealized: '0',
      };
    },
  };

  return [patchAccount, borrowLimit, withdrawalLimit, orderLimit, collateral];
}
