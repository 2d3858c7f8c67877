/**
 * The console API's wire types, for the SPA (web/src/api/console-api.ts): each is the type of the JSON schema its
 * route answers with, so the browser's types cannot drift from what the server validates and serializes. The SPA
 * imports this module with `import type` only: nothing of the server reaches its bundle. Nothing in src/ imports
 * it.
 */
import type { Wire } from '../../schema-types.ts';
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
