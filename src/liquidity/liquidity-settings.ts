/**
 * The built-in market makers' switches, from the environment:
 *
 *   SIGNET_LIQUIDITY=on|off        default on: `npm start` is a sandbox that feels like a live exchange.
 *                                  A real deployment turns it off (README, docs/DEPLOY.md).
 *   SIGNET_LIQUIDITY_SEED=<text>   seeds every market's random walk and sizes: the same seed, the same run.
 *                                  Random at each start when absent.
 *   SIGNET_LIQUIDITY_STEP_MS=<ms>  how often the makers requote (default 1000, 100 to 60000).
 *
 * Per-market settings (price, volatility, spread, depth, trade rate, price file) live in the markets file.
 */
import { randomBytes } from 'node:crypto';

export interface LiquiditySettings {
  readonly enabled: boolean;
  readonly seed: string;
  readonly stepMs: number;
}

export const LIQUIDITY_OFF: LiquiditySettings = { enabled: false, seed: '', stepMs: 1000 };

export function liquiditySettingsFromEnv(env: NodeJS.ProcessEnv = process.env): LiquiditySettings {
  const mode = env.SIGNET_LIQUIDITY?.trim().toLowerCase();
  if (mode !== undefined && mode !== '' && mode !== 'on' && mode !== 'off') {
    throw new Error('SIGNET_LIQUIDITY must be on or off');
  }
  const step = env.SIGNET_LIQUIDITY_STEP_MS?.trim();
  if (step !== undefined && step !== '' && !(/^\d{1,6}$/.test(step) && +step >= 100 && +step <= 60_000)) {
    throw new Error('SIGNET_LIQUIDITY_STEP_MS must be a number of milliseconds from 100 to 60000');
  }
  const seed = env.SIGNET_LIQUIDITY_SEED?.trim();
  return {
    enabled: mode !== 'off',
    seed: seed === undefined || seed === '' ? randomBytes(8).toString('hex') : seed,
    stepMs: step === undefined || step === '' ? 1000 : Number(step),
  };
}
