/**
 * `POST /console/api/exchange/orders` and `DELETE /console/api/exchange/orders`: the market page's order form and
 * its Cancel buttons. The signed-in person trades for one of their own subaccounts (looked up among theirs: 404 for
 * anyone else's) through the same Exchange.placeOrder / cancelOrder as a signed `orderExecute` / `orderCancel`:
 * the same validation, funds lock, matching, ledger and streams. Amounts are decimal strings (a JSON number has
 * lost digits before anyone could check it). Errors are Backpack's (INVALID_PRICE, INSUFFICIENT_FUNDS, ...).
 */
import type { RouteOptions } from 'fastify';

import { resolveSubaccount } from '../../../accounts/index.ts';
import { AppError } from '../../../errors.ts';
import { requireConsoleSession, type ConsoleExchangeDeps } from '../../plugins/console-session.ts';
import { orderSchema, toOrderView } from '../../views/console-exchange-views.ts';
import { schemaRoute } from '../../schema-types.ts';
import { errorResponses } from './schemas.ts';

const DECIMAL = { type: 'string', maxLength: 64, pattern: '^[0-9]+(\\.[0-9]+)?$' } as const;

export function postExchangeOrderRoute({ db, exchange }: ConsoleExchangeDeps): RouteOptions {
  return schemaRoute({
    method: 'POST',
    url: '/exchange/orders',
    schema: {
      summary: 'Place an order for one of your subaccounts (the market page)',
      tags: ['Console'],
      body: {
        type: 'object',
        required: ['symbol', 'side', 'orderType'],
        additionalProperties: false,
        properties: {
          subaccountId: { type: 'string', maxLength: 64, description: 'Defaults to the main subaccount' },
          symbol: { type: 'string', maxLength: 32 },
          side: { type: 'string', enum: ['Bid', 'Ask'] },
          orderType: { type: 'string', enum: ['Limit', 'Market'] },
          price: DECIMAL,
          quantity: DECIMAL,
          quoteQuantity: DECIMAL,
          timeInForce: { type: 'string', enum: ['GTC', 'IOC', 'FOK'] },
          postOnly: { type: 'boolean' },
        },
      },
      response: { 201: orderSchema, ...errorResponses },
    },
    // Before schema coercion could turn a JSON number (digits already lost) into a plausible string.
    preValidation: async (request) => {
      const body: unknown = request.body;
      for (const field of ['price', 'quantity', 'quoteQuantity']) {
        if (
          typeof body === 'object' &&
          body !== null &&
          field in body &&
          typeof Reflect.get(body, field) !== 'string'
        ) {
          throw new AppError('INVALID_CLIENT_REQUEST', `${field} must be a decimal string, e.g. "150.5"`);
        }
      }
    },
    handler: async (request, reply) => {
      const { user } = requireConsoleSession(request);
      const { subaccountId, ...order } = request.body;
      const subaccount = await resolveSubaccount(db, user.id, { id: subaccountId });
      const placed = await exchange.placeOrder(subaccount.id, order);
      return reply.code(201).send(toOrderView(placed, exchange.config));
    },
  });
}

export function deleteExchangeOrderRoute({ db, exchange }: ConsoleExchangeDeps): RouteOptions {
  return schemaRoute({
    method: 'DELETE',
    url: '/exchange/orders',
    schema: {
      summary: 'Cancel an open order of one of your subaccounts (the market page)',
      tags: ['Console'],
      body: {
        type: 'object',
        required: ['symbol', 'orderId'],
        additionalProperties: false,
        properties: {
          subaccountId: { type: 'string', maxLength: 64 },
          symbol: { type: 'string', maxLength: 32 },
          orderId: { type: 'string', maxLength: 24, pattern: '^[0-9]+$' },
        },
      },
      response: { 200: orderSchema, ...errorResponses },
    },
    handler: async (request) => {
      const { user } = requireConsoleSession(request);
      const { body } = request;
      const subaccount = await resolveSubaccount(db, user.id, { id: body.subaccountId });
      const cancelled = await exchange.cancelOrder(subaccount.id, {
        symbol: body.symbol,
        orderId: body.orderId,
      });
      return toOrderView(cancelled, exchange.config);
    },
  });
}
