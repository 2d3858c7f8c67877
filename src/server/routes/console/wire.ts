/**
 * The console API's wire types, for the SPA (web/src/api/console-api.ts): each is the type of the JSON schema its
 * route answers with (or, for an input, the body schema it validates), so the browser's types cannot drift from what the server validates and serializes. The SPA
 * imports this module with `import type` only: nothing of the server reaches its bundle. Nothing in src/ imports
 * it.
 */
import type { Wire, WireInput } from '../../schema-types.ts';
import type {
  BalanceView,
  DepositView,
  ExchangeAssetView,
  FillView,
  OrderView,
  WithdrawalView,
} from '../../views/console-exchange-views.ts';
import type { auditEventSchema } from './get-audit-events.ts';
import type { sessionInfoSchema } from './get-session.ts';
import type { withdrawalAddressBookSchema } from './get-withdrawal-addresses.ts';
import type { updateKeyBodySchema } from './patch-api-key.ts';
import type { createKeyBodySchema } from './post-api-key.ts';
import type { rotateKeyBodySchema } from './post-api-key-rotate.ts';
import type { depositBodySchema } from './post-exchange-deposit.ts';
import type { withdrawBodySchema } from './post-exchange-withdrawal.ts';
import type { addWithdrawalAddressBodySchema } from './post-withdrawal-address.ts';
import type { apiAccessBodySchema } from './post-withdrawal-address-api-access.ts';
import type { twoFactorSetupSchema } from './post-two-factor-setup.ts';
import type { apiKeySchema, subaccountSchema, UserView } from './schemas.ts';
import type { WithdrawalAddressView } from './withdrawal-address-view.ts';

export type User = UserView;
export type SessionInfo = Wire<typeof sessionInfoSchema>;
export type Subaccount = Wire<typeof subaccountSchema>;
export type ApiKey = Wire<typeof apiKeySchema>;
export type KeyStatus = ApiKey['status'];
export type AuditEvent = Wire<typeof auditEventSchema>;
export type TwoFactorSetup = Wire<typeof twoFactorSetupSchema>;
export type ExchangeAsset = ExchangeAssetView;
export type Balance = BalanceView;
export type Order = OrderView;
export type Side = OrderView['side'];
export type Fill = FillView;
export type Deposit = DepositView;
export type Withdrawal = WithdrawalView;
export type WithdrawalAddress = WithdrawalAddressView;
export type WithdrawalAddressBook = Wire<typeof withdrawalAddressBookSchema>;

export type TestDepositInput = WireInput<typeof depositBodySchema>;
export type WithdrawInput = WireInput<typeof withdrawBodySchema>;
export type AddWithdrawalAddressInput = WireInput<typeof addWithdrawalAddressBodySchema>;
export type WithdrawalAddressApiAccessInput = WireInput<typeof apiAccessBodySchema>;
/** The owner's proof for a loosening change: the 2FA code, or the password on an account without 2FA. */
export type IdentityProof = Omit<WithdrawalAddressApiAccessInput, 'allowApi'>;

export type CreateKeyInput = WireInput<typeof createKeyBodySchema>;
export type UpdateKeyInput = WireInput<typeof updateKeyBodySchema>;
export type RotateKeyInput = WireInput<typeof rotateKeyBodySchema>;
