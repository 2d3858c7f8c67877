/**
 * `GET /api/v1/account/limits/order` (maxOrderQuantity): the largest order the available balance pays for. An Ask
 * sells what the base balance holds; a Bid buys at `price`, or else at the best ask (0 when the book has none).
 * Rounded down to the market's step; exact throughout (bigint units).
 */
import { AppError } from '../../../errors.ts';
import { formatDecimal, parseDecimal, requireMarket, type Exchange } from '../../../exchange/index.ts';
import { signedRoute, type SignedRoute } from '../../plugins/signed-api.ts';

export function getOrderLimitRoute(exchange: Exchange): SignedRoute {
  return signedRoute({
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
      const { query } = request;
      const market = requireMarket(exchange.config, query.symbol);
      const step = parseDecimal(market.stepSize, market.baseDecimals);
      const floorToStep = (units: bigint): bigint => (units / step) * step;
      const subaccountId = request.caller.subaccountId;
      let quantity: bigint;
      if (query.side === 'Ask') {
        quantity = floorToStep((await exchange.readBalance(subaccountId, market.baseSymbol)).available);
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
        const available = (await exchange.readBalance(subaccountId, market.quoteSymbol)).available;
        quantity = price === null || price <= 0n ? 0n : floorToStep((available * market.baseScale) / price);
      }
      return {
        maxOrderQuantity: formatDecimal(quantity, market.baseDecimals),
        symbol: market.symbol,
        side: query.side,
      };
    },
  });
}
