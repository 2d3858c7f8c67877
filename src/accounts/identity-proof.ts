/** What a person gives to prove they own the account before a sensitive change (see console/confirm-identity.ts). */
export interface IdentityProof {
  /** The current code from the authenticator app (needed when the account has 2FA). */
  totpCode?: string;
  /** The account's password (needed when it has no 2FA). */
  password?: string;
}

/** Passes when `proof` proves the owner of `userId`; throws a 4xx otherwise. */
export type ConfirmIdentity = (input: {
  userId: string;
  proof: IdentityProof;
  now: number;
}) => Promise<{ method: 'totp' | 'password' }>;
