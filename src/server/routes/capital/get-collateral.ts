/**
 * `GET /api/v1/capital/collateral` (collateralQuery): every asset at full collateral weight (spot: no margin),
 * valued at its reference price in USDC (`assetMarkPrice`: the last USDC trade, else the markets file's
 * `referencePrice`, stablecoins 1; see exchange capital/reference-prices.ts). Exact (bigint units); the
 * subaccount always comes from the key.
 */
import { formatDecimal, type Exchange } from '../../../exchange/index.ts';
import { signedRoute, type SignedRoute } from '../../plugins/signed-api.ts';

export function getCollateralRoute(exchange: Exchange): SignedRoute {
  return signedRoute({
    method: 'GET',
    url: '/api/v1/capital/collateral',
    schema: {
      summary: 'Collateral summary (collateralQuery): spot assets at full weight, reference prices',
      tags: ['Capital'],
      querystring: { type: 'object', properties: { subaccountId: { type: 'string' } } },
    },
    handler: async (request) => {
      const [balances, reference] = await Promise.all([
        exchange.readBalances(request.caller.subaccountId),
        exchange.getReferencePrices(),
      ]);
      const money = (units: bigint): string => formatDecimal(units, reference.decimals);
      const rows = [];
      let total = 0n;
      let locked = 0n;
      for (const [symbol, balance] of balances) {
        const asset = exchange.config.assetsBySymbol.get(symbol);
        if (asset === undefined) continue;
        const scale = 10n ** BigInt(asset.decimals);
        const price = reference.prices.get(symbol) ?? 0n; // USDC units per whole unit of the asset
        const quantity = balance.available + balance.locked;
        const notional = (quantity * price) / scale;
        total += notional;
        locked += (balance.locked * price) / scale;
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
  });
}
