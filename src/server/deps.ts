/** What the HTTP layer needs from the rest of Signet; `buildApp()` takes it whole, so tests pass real parts. */
import type { ConsoleConfig } from '../console/console-config.ts';
import type { GatewayConfig } from '../gateway/index.ts';
import type { Exchange, ExchangeConfig, WithdrawalAddressSettings } from '../exchange/index.ts';
import type { SignedRequestVerifier } from '../keys/index.ts';
import type { ResetAnnouncement } from '../liquidity/index.ts';
import type { Store } from '../store/create-database.ts';
import type { Metrics } from './metrics.ts';
import type { ReadinessProbe } from './readiness.ts';

export interface AppDeps {
  db: Store;
  verifier: SignedRequestVerifier;
  now: () => number;
  /** Operator settings for the console; defaults apply when absent. */
  console?: ConsoleConfig;
  /** Assets and markets from the configuration file (config/markets.json by default). */
  markets: ExchangeConfig;
  /** Balances, orders, matching, deposits, withdrawals; buildApp() creates one over `db` when absent. */
  exchange?: Exchange;
  /** SIGNET_WITHDRAWAL_ADDRESSES and SIGNET_ADDRESS_COOLING_OFF; default: address book, 24 h cooling-off. */
  withdrawalAddresses?: WithdrawalAddressSettings;
  /** What `/readyz` checks; buildApp() checks the database and migrations when absent. */
  readiness?: ReadinessProbe;
  /** Prometheus metrics; none are collected when absent. */
  metrics?: Metrics;
  /** Bearer token that opens `/metrics` on the API port (SIGNET_METRICS_TOKEN); no route without it. */
  metricsToken?: string;
  /**
   * The built-in exchange (SIGNET_EXCHANGE, default on). Off: no Backpack route, no market data, no exchange pages
   * or address book in the console; the console, keys and gateway remain.
   */
  exchangeEnabled?: boolean;
  /** The operator's own API behind Signet (SIGNET_ROUTES, src/gateway/); no gateway routes when absent. */
  gateway?: GatewayConfig;
  /** Opens the key endpoint for embedded verifiers (SIGNET_VERIFY_TOKEN, gateway/key-endpoint.ts). */
  verifyToken?: string;
  /** The scheduled sandbox reset (SIGNET_RESET_EVERY), announced by `/api/v1/status`; none when absent. */
  resetSchedule?: ResetAnnouncement;
}
