/**
 * The accounts area's published surface: users, subaccounts, passwords and the audit log, the records keys,
 * exchange and console share. Anything not exported here is the area's own (lint refuses a deep import from
 * outside src/accounts/, see eslint.config.js).
 */
export {
  MAIN_SUBACCOUNT_NAME,
  createSubaccount,
  createUser,
  DEFAULT_MAX_SUBACCOUNTS_PER_USER,
  maxSubaccountsFromEnv,
  findUserByEmail,
  getUser,
  listSubaccounts,
  requireUserByEmail,
  resolveSubaccount,
  type Subaccount,
  type User,
} from './accounts-service.ts';
export { listAuditEvents, recordAuditEvent, type AuditContext } from './audit.ts';
export type { ConfirmIdentity, IdentityProof } from './identity-proof.ts';
export { DUMMY_PASSWORD_HASH, MAX_PASSWORD_LENGTH, verifyPassword } from './password.ts';
