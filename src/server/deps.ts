/** What the HTTP layer needs from the rest of Signet; `buildApp()` takes it whole, so tests pass real parts. */
import type { SignedRequestVerifier } from '../keys/signed-request-verifier.ts';
import type { Store } from '../store/create-database.ts';

export interface AppDeps {
  db: Store;
  verifier: SignedRequestVerifier;
  now: () => number;
}
