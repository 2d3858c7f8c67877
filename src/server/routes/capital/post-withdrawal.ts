/**
 * `POST /wapi/v1/capital/withdrawals` (withdraw): validates the destination for the chain, checks it against the
 * account's address book, debits quantity + the chain's fee and answers the withdrawal (`pending`; the server's
 * settlement step confirms it). Only full-access keys get here (the gateway answers 403 to read-only keys first).
 *
 * Address book (SIGNET_WITHDRAWAL_ADDRESSES=book, the default): only to an entry on that blockchain whose 2FA
 * requirement is off and whose cooling-off has passed; anything else is 403 WITHDRAWAL_ADDRESS_NOT_ALLOWED,
 * nothing debited. `twoFactorToken` unlocks nothing (Backpack has disabled it for API use).
 * For a while after the owner turned 2FA off (SIGNET_2FA_OFF_WITHDRAWAL_PAUSE, 24 h), every API withdrawal of theirs
 * is 403 FORBIDDEN, saying until when; with SIGNET_WITHDRAW_REQUIRES_ALLOWLIST=on a key without an IP allowlist is
 * refused (400 ALLOWLIST_REQUIRED_FOR_WITHDRAW), even one made before the setting: a thief who took the account and removed 2FA cannot drain it at once.
 */
import { toBackpackWithdrawal } from '../../views/backpack-wire.ts';
import { requireAsset, type AddressBook, type Exchange } from '../../../exchange/index.ts';
import { apiWithdrawalsPausedUntil } from '../../../console/two-factor-service.ts';
import { AppError } from '../../../errors.ts';
import { assertWithdrawAllowlist, DEFAULT_KEY_POLICY, type KeyPolicy } from '../../../keys/index.ts';
import { signedRoute, type SignedRoute } from '../../plugins/signed-api.ts';
import { withdrawalSchema } from './capital-schemas.ts';

export function postWithdrawalRoute(
  exchange: Exchange,
  addressBook: AddressBook,
  policy: Pick<KeyPolicy, 'withdrawRequiresAllowlist'> = DEFAULT_KEY_POLICY,
): SignedRoute {
  return signedRoute({
    method: 'POST',
    url: '/wapi/v1/capital/withdrawals',
    schema: {
      summary: 'Request a withdrawal (withdraw)',
      tags: ['Capital'],
      body: {
        type: 'object',
        required: ['address', 'blockchain', 'quantity', 'symbol'],
        properties: {
          address: { type: 'string' },
          blockchain: { type: 'string', description: 'Backpack spelling, e.g. Solana' },
          quantity: { anyOf: [{ type: 'string' }, { type: 'number' }] },
          symbol: { type: 'string' },
          clientId: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
          twoFactorToken: {
            type: 'string',
            description: 'Ignored: unlocks nothing (API withdrawals go only to allowed address-book entries)',
          },
        },
      },
      response: { 200: withdrawalSchema },
    },
    handler: async (request) => {
      const { userId, subaccountId } = request.caller;
      // A key made before the operator required allowlists for withdrawing keys is held to the rule too.
      assertWithdrawAllowlist(policy, request.caller);
      const withdrawal = await exchange.requestWithdrawal(subaccountId, request.body, {
        authorize: async (destination) => {
          await refuseWhileWithdrawalsPaused(addressBook, userId, exchange.now());
          await addressBook.authorizeApiWithdrawal({ userId, ...destination, now: exchange.now() });
        },
      });
      return toBackpackWithdrawal(withdrawal, requireAsset(exchange.config, withdrawal.symbol));
    },
  });
}

async function refuseWhileWithdrawalsPaused(
  addressBook: AddressBook,
  userId: string,
  now: number,
): Promise<void> {
  const until = await apiWithdrawalsPausedUntil(addressBook.db, { userId, now });
  if (until === undefined) return;
  throw AppError.of(
    'API_WITHDRAWALS_PAUSED',
    `API withdrawals are paused until ${new Date(until).toISOString()}: two-factor authentication was turned off`,
    { until: new Date(until).toISOString() },
  );
}
