/**
 * The keys area's published surface: API key records and their controls, the verification of a signed request,
 * the key cache and the replay guard. Anything not exported here is the area's own (lint refuses a deep import
 * from outside src/keys/, see eslint.config.js).
 */
export { keyStatus, parseExpiry, validateKeyName, type ApiKey, type KeyStatus } from './api-key.ts';
export { createApiKey, findApiKey, listApiKeys, revokeApiKey } from './keys-service.ts';
export { revokeAllApiKeys, rotateApiKey, updateApiKey } from './key-controls-service.ts';
export { GRACE_PERIODS, parseGracePeriod, resolveAllowlist, resolvePermissions } from './key-controls.ts';
export {
  CUSTOM_PERMISSION_NAME,
  customPermissionsOfStored,
  FULL_ACCESS_MASK,
  isBuiltInPermission,
  MAX_CUSTOM_PERMISSIONS,
  PERMISSION_BITS,
  PERMISSIONS,
  permissionNames,
  permissionsOf,
} from './permissions.ts';
export {
  addressLimitKey,
  broadEntries,
  DEFAULT_IPV6_LIMIT_PREFIX,
  DEFAULT_BROAD_PREFIXES,
  parseAllowlistEntry,
  type BroadPrefixes,
} from './ip-allowlist.ts';
export {
  assertWithdrawAllowlist,
  DEFAULT_KEY_POLICY,
  integerFromEnv,
  ipv6LimitPrefixFromEnv,
  keyPolicyFromEnv,
  type KeyPolicy,
} from './key-policy.ts';
export { getKeyUsage, parseUsageRange, USAGE_COUNT_FIELDS, type UsageRange } from './key-usage-query.ts';
export type { KeyForDecision } from './decide-request.ts';
export {
  SignedRequestVerifier,
  type Caller,
  type VerifyOutcome,
  type VerifyRefusal,
  type VerifyRefusalReason,
} from './signed-request-verifier.ts';
export { openKeyCache, type KeyCacheCounters } from './key-cache.ts';
export {
  ReplayGuard,
  replayOptionsFromEnv,
  type ReplayGuardOptions,
  type ReplayStats,
  type SharedReplayStore,
} from './replay-guard.ts';
export {
  REPLAYED,
  REPLAY_OUTCOMES,
  REPLAY_STORE_FULL,
  replayOutcomeCode,
  type ReplayOutcome,
} from './replay-decision.ts';
export { ReplayStore } from './replay-store.ts';
export { defaultReplayHorizonFile, openReplayHorizon } from './replay-horizon.ts';
