/**
 * `GET /console/api/withdrawal-addresses`: the caller's address book, with the server's clock (so the page can
 * show the time left on a pending entry without trusting the phone's clock), the operator's settings, and the
 * blockchains withdrawals may use (for the add form).
 */
import type { RouteOptions } from 'fastify';

import { requireConsoleSession, type ConsoleExchangeDeps } from '../../plugins/console-session.ts';
import { schemaRoute } from '../../schema-types.ts';
import { errorResponses } from './schemas.ts';
import { toWithdrawalAddressView, withdrawalAddressSchema } from './withdrawal-address-view.ts';

/** The address book with the settings it runs under, at the server clock. */
export const withdrawalAddressBookSchema = {
  type: 'object',
  required: ['now', 'mode', 'coolingOffMs', 'blockchains', 'addresses'],
  additionalProperties: false,
  properties: {
    now: { type: 'integer' },
    mode: { type: 'string', enum: ['book', 'any'] },
    coolingOffMs: { type: 'integer' },
    blockchains: { type: 'array', items: { type: 'string' } },
    addresses: { type: 'array', items: withdrawalAddressSchema },
  },
} as const;

export function getWithdrawalAddressesRoute({
  now,
  exchange,
  addressBook,
}: ConsoleExchangeDeps): RouteOptions {
  const blockchains = [
    ...new Set(
      exchange.config.assets.flatMap((a) =>
        a.tokens.filter((t) => t.withdrawEnabled).map((t) => t.blockchain),
      ),
    ),
  ].sort();
  return schemaRoute({
    method: 'GET',
    url: '/withdrawal-addresses',
    schema: {
      summary: 'The withdrawal address book',
      tags: ['Console'],
      response: {
        200: withdrawalAddressBookSchema,
        ...errorResponses,
      },
    },
    handler: async (request) => {
      const { user } = requireConsoleSession(request);
      const at = now();
      const entries = await addressBook.list(user.id);
      return {
        now: at,
        mode: addressBook.settings.mode,
        coolingOffMs: addressBook.settings.coolingOffMs,
        blockchains,
        addresses: entries.map((entry) => toWithdrawalAddressView(entry, at)),
      };
    },
  });
}
