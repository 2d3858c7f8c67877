import { describe, expect, it } from 'vitest';
import { SOL_USDC, price, qty, usdc } from '../../../test/helpers/exchange-fixtures.ts';
import { validateOrder } from './validate-order.ts';

const limit = { symbol: 'SOL_USDC', side: 'Bid', orderType: 'Limit', price: '100.13', quantity: '1.23' };
const market = { symbol: 'SOL_USDC', side: 'Ask', orderType: 'Market', quantity: '0.1' };

describe('validateOrder()', () => {
  it('accepts the limit order ccxt sends and fills in Backpack defaults', () => {
    const result = validateOrder(SOL_USDC, { ...limit, clientId: 42, postOnly: true });
    expect(result).toEqual({
      ok: true,
      order: {
        symbol: 'SOL_USDC',
        side: 'Bid',
        orderType: 'Limit',
        price: price('100.13'),
        quantity: qty('1.23'),
        quoteQuantity: undefined,
        timeInForce: 'GTC',
        postOnly: true,
        selfTradePrevention: 'RejectTaker',
        clientId: 42,
      },
    });
  });

  it('accepts market orders by quantity or by quoteQuantity', () => {
    expect(validateOrder(SOL_USDC, market)).toMatchObject({ ok: true, order: { quantity: qty('0.1') } });
    const byQuote = { symbol: 'SOL_USDC', side: 'Bid', orderType: 'Market', quoteQuantity: '15' };
    expect(validateOrder(SOL_USDC, byQuote)).toMatchObject({
      ok: true,
      order: { quoteQuantity: usdc('15') },
    });
  });

  it('accepts plain JS numbers and digit-string client ids', () => {
    const result = validateOrder(SOL_USDC, { ...limit, price: 100.13, quantity: 2, clientId: '7' });
    expect(result).toMatchObject({
      ok: true,
      order: { price: price('100.13'), quantity: qty('2'), clientId: 7 },
    });
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['a price off the tick', { ...limit, price: '100.125' }, 'INVALID_PRICE', /tick size 0\.01/],
    [
      'a price finer than the quote asset',
      { ...limit, price: '100.1234567' },
      'INVALID_PRICE',
      /decimal places/,
    ],
    ['a price below the minimum', { ...limit, price: '0' }, 'INVALID_PRICE', /minimum 0\.01/],
    ['a price above the maximum', { ...limit, price: '100000.01' }, 'INVALID_PRICE', /maximum 100000/],
    ['a quantity off the step', { ...limit, quantity: '1.234' }, 'INVALID_QUANTITY', /step size 0\.01/],
    ['a quantity below the minimum', { ...limit, quantity: '0' }, 'INVALID_QUANTITY', /minimum 0\.01/],
    ['a quantity above the maximum', { ...limit, quantity: '100000.01' }, 'INVALID_QUANTITY', /maximum/],
    ['an exponent', { ...limit, price: '1e2' }, 'INVALID_CLIENT_REQUEST', /price must be a decimal/],
    ['a number printed with an exponent', { ...limit, quantity: 1e-7 }, 'INVALID_CLIENT_REQUEST', /quantity/],
    ['an unsafe number', { ...limit, quantity: 2 ** 60 }, 'INVALID_CLIENT_REQUEST', /quantity/],
    ['a negative price', { ...limit, price: '-100' }, 'INVALID_CLIENT_REQUEST', /price/],
    ['an unknown side', { ...limit, side: 'Buy' }, 'INVALID_CLIENT_REQUEST', /side must be one of Bid, Ask/],
    ['an unknown order type', { ...limit, orderType: 'Stop' }, 'INVALID_CLIENT_REQUEST', /orderType/],
    ['a missing side', { ...limit, side: undefined }, 'INVALID_CLIENT_REQUEST', /side/],
    ['another market', { ...limit, symbol: 'BTC_USDC' }, 'INVALID_MARKET', /Invalid market symbol/],
    ['a limit without price', { ...limit, price: undefined }, 'INVALID_ORDER', /Price is required/],
    ['a limit without quantity', { ...limit, quantity: null }, 'INVALID_ORDER', /Quantity is required/],
    ['a limit with quoteQuantity', { ...limit, quoteQuantity: '10' }, 'INVALID_ORDER', /quoteQuantity/],
    ['post only IOC', { ...limit, postOnly: true, timeInForce: 'IOC' }, 'INVALID_ORDER', /postOnly/],
    ['a market with both amounts', { ...market, quoteQuantity: '10' }, 'INVALID_ORDER', /exactly one/],
    ['a market with no amount', { ...market, quantity: undefined }, 'INVALID_ORDER', /exactly one/],
    ['a market with a price', { ...market, price: '100' }, 'INVALID_ORDER', /not allowed on market/],
    ['a post-only market', { ...market, postOnly: true }, 'INVALID_ORDER', /postOnly/],
    ['a FOK market', { ...market, timeInForce: 'FOK' }, 'INVALID_ORDER', /FOK/],
    [
      'a zero quoteQuantity',
      { ...market, quantity: undefined, quoteQuantity: '0' },
      'INVALID_QUANTITY',
      /zero/,
    ],
    ['an unknown time in force', { ...limit, timeInForce: 'GTD' }, 'INVALID_CLIENT_REQUEST', /timeInForce/],
    [
      'an unknown self-trade mode',
      { ...limit, selfTradePrevention: 'Never' },
      'INVALID_CLIENT_REQUEST',
      /selfTradePrevention/,
    ],
    ['a bad postOnly', { ...limit, postOnly: 'yes' }, 'INVALID_CLIENT_REQUEST', /postOnly/],
    ['a negative clientId', { ...limit, clientId: -1 }, 'INVALID_CLIENT_REQUEST', /clientId/],
    ['a clientId over uint32', { ...limit, clientId: 4_294_967_296 }, 'INVALID_CLIENT_REQUEST', /clientId/],
    ['a trigger order', { ...limit, triggerPrice: '90' }, 'INVALID_ORDER', /Trigger/],
    ['reduce only', { ...limit, reduceOnly: true }, 'INVALID_ORDER', /Reduce-only/],
  ])('rejects %s', (_name, input, code, message) => {
    const result = validateOrder(SOL_USDC, input);
    expect(result).toMatchObject({ ok: false, code });
    expect(result.ok ? '' : result.message).toMatch(message);
  });

  it('rejects a payload that is not an object', () => {
    expect(validateOrder(SOL_USDC, [limit])).toMatchObject({ ok: false, code: 'INVALID_CLIENT_REQUEST' });
    expect(validateOrder(SOL_USDC, null)).toMatchObject({ ok: false, code: 'INVALID_CLIENT_REQUEST' });
  });

  it('accepts timeInForce GTC or IOC on market orders and ignores unknown keys', () => {
    expect(validateOrder(SOL_USDC, { ...market, timeInForce: 'IOC', brokerId: 1400 })).toMatchObject({
      ok: true,
      order: { timeInForce: 'IOC' },
    });
  });

  it('accepts reduceOnly false and null trigger fields', () => {
    expect(validateOrder(SOL_USDC, { ...limit, reduceOnly: false, triggerPrice: null }).ok).toBe(true);
  });
});
