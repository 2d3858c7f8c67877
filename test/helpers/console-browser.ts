/**
 * A real browser on a real Signet for the console's browser tests: the SPA built if stale, a listening server
 * over a fresh SQLite file, Debian's Chromium (playwright-core) with a throwaway profile, script errors and CSP
 * violations collected, and screenshots written to test-results/console-<name>.png. Without Chromium (CHROMIUM_PATH,
 * default /usr/bin/chromium) the browser test files skip themselves: `describe.skipIf(!CHROMIUM.available)`.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium, type BrowserContext, type Page } from 'playwright-core';

import type { WithdrawalAddressSettings } from '../../src/exchange/capital/withdrawal-addresses.ts';
import type { ConsoleConfig } from '../../src/console/console-config.ts';
import type { GatewayConfig } from '../../src/gateway/index.ts';
import type { LiquiditySettings } from '../../src/liquidity/index.ts';
import { startServer, type RunningServer } from '../../src/server/start-server.ts';
import { CHROMIUM_PATH as CHROMIUM } from './requirements.ts';
import { ensureWebBuilt } from './web-build.ts';
export const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SCREENSHOTS = join(REPO, 'test-results');

export interface ConsoleBrowser {
  server: RunningServer;
  context: BrowserContext;
  page: Page;
  /** Script errors and CSP violations seen in the page (failed HTTP answers a test expects are not errors). */
  browserErrors: string[];
  /** The whole page, or (`fullPage: false`) what is on screen: a modal dialog over the page. */
  screenshot: (name: string, options?: { fullPage?: boolean }) => Promise<void>;
  close: () => Promise<void>;
}

export async function openConsoleBrowser(
  options: {
    withdrawalAddresses?: WithdrawalAddressSettings;
    console?: ConsoleConfig;
    /** The signed path's clock (start-server.ts `signedRequestClock`): traffic "minutes apart" without waiting. */
    signedRequestClock?: () => number;
    /** The operator's own API behind the gateway (its custom permissions appear in the key dialogs). */
    gateway?: GatewayConfig;
    /** false: SIGNET_EXCHANGE=off, a gateway-only console. */
    exchange?: boolean;
    /** The built-in market makers (off unless asked: most pages are tested on empty books). */
    liquidity?: LiquiditySettings;
  } = {},
): Promise<ConsoleBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the browser tests need it (apt-get install -y chromium, or set CHROMIUM_PATH)`,
    );
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  await ensureWebBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'signet-e2e-'));
  const server = await startServer(
    {
      port: 0,
      host: '127.0.0.1',
      databaseUrl: join(dir, 'signet.db'),
      console: options.console ?? { requireTwoFactorForKeys: false },
      // The address book as shipped (24 h cooling-off), whatever the environment says, unless a test asks.
      withdrawalAddresses: options.withdrawalAddresses ?? { mode: 'book', coolingOffMs: 24 * 60 * 60 * 1000 },
      signedRequestClock: options.signedRequestClock,
      gateway: options.gateway,
      exchange: options.exchange,
      liquidity: options.liquidity,
    },
    { logger: false },
  );
  const context = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    locale: 'en-US',
    viewport: { width: 1280, height: 860 },
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  const browserErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      browserErrors.push(message.text());
    }
  });
  page.on('pageerror', (error) => browserErrors.push(error.message));

  return {
    server,
    context,
    page,
    browserErrors,
    screenshot: async (name, options) => {
      await page.screenshot({
        path: join(SCREENSHOTS, `console-${name}.png`),
        fullPage: options?.fullPage ?? true,
      });
    },
    close: async () => {
      await context.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Creates an account through the Sign up page and waits for the console's first page (API Keys). */
export async function signUpInBrowser(
  page: Page,
  baseUrl: string,
  email: string,
  password: string,
): Promise<void> {
  await page.goto(`${baseUrl}/sign-up`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Confirm password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { level: 1, name: 'API Keys' }).waitFor();
}
