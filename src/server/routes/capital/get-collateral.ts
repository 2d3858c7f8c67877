/**
 * `GET /api/v1/capital/collateral` (collateralQuery): every asset at full collateral weight (spot: no margin),
 * valued at its last price in USDC (USDC itself at 1; an asset without a USDC market at 0). Exact (bigint units);
 * the subaccount always comes from the key.
 */
import { formatDecimal, type Exchange } from '../../../exchange/index.ts';
import { signedRoute, type SignedRoute } from '../../plugins/signed-api.ts';

const VALUE_ASSET = 'USDC';

export function getCollateralRoute(exchange: Exchange): SignedRoute {
  return signedRoute({
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
  });
}
