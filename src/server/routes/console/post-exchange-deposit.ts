/**
 * `POST /console/api/exchange/deposits`: "Deposit test funds". Credits sandbox funds to one of the caller's
 * subaccounts through depositTestFunds(), exactly what `signet deposit` does: one ledger entry and one confirmed
 * deposit row in one transaction, listed afterwards by `GET /wapi/v1/capital/deposits` for that subaccount's keys.
 *
 * Operator switch: SIGNET_SANDBOX_DEPOSITS=off answers 403 here (the console hides the button); per-call and
 * per-day caps per user apply (exchange/sandbox-funding.ts). `signet deposit` is not limited by either.
 *
 * Ownership: the subaccount is looked up among the caller's own (404 for anyone else's). The quantity must be a
 * JSON string: a JSON number has already lost digits by the time it is parsed (12345678901234567890 arrives as
 * 12345678901234567000), so it is refused before schema coercion could turn it into a plausible string.
 * Amount rules (exact in the asset's decimals, positive, at most one sandbox deposit's maximum, balance cap)
 * are the deposit service's, answered as Backpack errors (INVALID_QUANTITY, INVALID_ASSET, 400).
 */
import type { RouteOptions } from 'fastify';

import { AppError } from '../../../errors.ts';
import {
  assertSandboxDepositAllowed,
  DEFAULT_SANDBOX_FUNDING,
  parseQuantity,
  requireAsset,
} from '../../../exchange/index.ts';
import { requireConsoleSession, type ConsoleExchangeDeps } from '../../plugins/console-session.ts';
import { depositSchema, toDepositView } from '../../views/console-exchange-views.ts';
import { schemaRoute } from '../../schema-types.ts';
import { errorResponses } from './schemas.ts';

/** A sandbox deposit as the console sends it (the SPA imports its type, wire.ts). */
export const depositBodySchema = {
  type: 'object',
  required: ['symbol', 'quantity'],
  additionalProperties: false,
  properties: {
    subaccountId: { type: 'string', maxLength: 64, description: 'Defaults to the main subaccount' },
    symbol: { type: 'string', maxLength: 32, description: 'Asset, e.g. USDC' },
    quantity: { type: 'string', maxLength: 64, description: 'Decimal string, e.g. "1000" or "0.5"' },
    blockchain: {
      type: 'string',
      maxLength: 32,
      description: "Backpack's spelling, e.g. Solana; defaults to the asset's first deposit network",
    },
  },
} as const;

export function postExchangeDepositRoute({ exchange, db, config, now }: ConsoleExchangeDeps): RouteOptions {
  const policy = config.sandboxDeposits ?? DEFAULT_SANDBOX_FUNDING;
  return schemaRoute({
    method: 'POST',
    url: '/exchange/deposits',
    schema: {
      summary: 'Deposit test funds (sandbox)',
      tags: ['Console'],
      body: depositBodySchema,
      response: { 201: depositSchema, ...errorResponses },
    },
    preValidation: async (request) => {
      // Before validation the body is whatever was sent.
      const body: unknown = request.body;
      if (
        typeof body === 'object' &&
        body !== null &&
        'quantity' in body &&
        typeof body.quantity !== 'string'
      ) {
        throw AppError.of('QUANTITY_NOT_DECIMAL', 'Quantity must be a decimal string, e.g. "1000"');
      }
    },
    handler: async (request, reply) => {
      const { user } = requireConsoleSession(request);
      const { body } = request;
      // The operator's switch and caps (sandbox-funding.ts) before anything is credited.
      if (!policy.enabled)
        throw AppError.of('SANDBOX_DEPOSITS_OFF', 'Sandbox deposits are turned off on this server');
      const asset = requireAsset(exchange.config, body.symbol);
      await assertSandboxDepositAllowed(db, policy, {
        userId: user.id,
        symbol: asset.symbol,
        decimals: asset.decimals,
        quantity: parseQuantity(body.quantity, asset.decimals),
        now: now(),
      });
      const deposit = await exchange.depositTestFunds({
        userId: user.id,
        subaccountId: body.subaccountId,
        symbol: body.symbol,
        quantity: body.quantity,
        blockchain: body.blockchain,
      });
      return reply.code(201).send(toDepositView(deposit, exchange.config));
    },
  });
}
