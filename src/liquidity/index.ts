/**
 * The liquidity area's published surface: the built-in market makers that make `npm start` feel like a live
 * exchange (README "Built-in market makers"). They act only through the exchange's published surface, as an
 * ordinary user would. Anything not exported here is the area's own.
 */
export { LIQUIDITY_OFF, liquiditySettingsFromEnv, type LiquiditySettings } from './liquidity-settings.ts';
export {
  LEASE_TRY_MS,
  LEASE_TTL_MS,
  LIQUIDITY_LEASE,
  startLiquidity,
  type LiquidityLog,
  type LiquidityRunner,
} from './liquidity-runner.ts';
export { LeaderLease } from './leader-lease.ts';
export { findMakerUser } from './maker-accounts.ts';
export {
  announceResets,
  resetEveryFromEnv,
  startResetSchedule,
  type ResetAnnouncement,
  type ResetSchedule,
} from './reset-schedule.ts';
